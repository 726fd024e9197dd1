import { relative } from 'node:path';
import type { Command } from 'commander';
import type { CliState, CommandContext } from '../command-context';
import { standaloneAction } from '../deploy/standalone-action';
import { EXIT } from '../exit-codes';
import { AGENT_MODULE, scaffold } from '../init/scaffold';

interface InitFlags {
  local?: string;
  force?: boolean;
  json?: boolean;
}

/**
 * `kestrion init <dir> [--local <checkout>]`: scaffolds a project whose `npm install && npm test`
 * builds its tool manifest and runs its agent through run -> approve -> resume.
 */
export function registerInitCommand(program: Command, state?: CliState): void {
  program
    .command('init')
    .description('create a project: an agent with a gated tool, its tool manifest build, and a jest test')
    .argument('<dir>', 'the folder to create (must be empty or missing)')
    .option(
      '--local <checkout>',
      'use the packages of this Kestrion checkout (built), packed into <dir>/vendor/',
    )
    .option('--force', 'write into a folder that is not empty (files of the same name are replaced)')
    .option('--json', 'print exactly one JSON document on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ kestrion init my-agent\n  $ kestrion init demo --local ~/src/kestrion\n' +
        '\nThen: cd <dir> && npm install && npm test, and npx kestrion run src/agent.ts "Restart checkout".\n',
    )
    .action(standaloneAction(program, state, (ctx, dir: string, flags: InitFlags) => init(ctx, dir, flags)));
}

async function init(ctx: CommandContext, dir: string, flags: InitFlags): Promise<number> {
  const started = Date.now();
  const result = await scaffold({
    dir,
    ...(flags.local !== undefined ? { local: flags.local } : {}),
    force: flags.force === true,
    progress: (line) => ctx.out.progress(line),
  });
  const cd = relative(process.cwd(), result.dir) || '.';
  const next = [
    `cd ${cd}`,
    'npm install',
    'npm test',
    `npx kestrion run ${AGENT_MODULE} "Restart checkout"`,
    `npx kestrion approve <runId> --agent ${AGENT_MODULE} --as <you>`,
    `npx kestrion resume <runId> --agent ${AGENT_MODULE}`,
  ];
  ctx.out.result({ ...result, durationMs: Date.now() - started, next }, () => [
    `Created ${result.name} (${result.files.length} files). Next:`,
    ...next.map((l) => `  ${l}`),
  ]);
  return EXIT.ok;
}
