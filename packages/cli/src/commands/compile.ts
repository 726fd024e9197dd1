import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';

/**
 * `kestrion compile`: `kestrion-compile` under the kestrion command, with the same flags and
 * exit codes (0 ok, 1 compile errors or stale manifest, 2 usage or configuration).
 */
export function registerCompileCommand(program: Command, state: CliState): void {
  common(
    program
      .command('compile')
      .description('compile @tool methods into the JSON Schema tool manifest (kestrion-compile, same flags)')
      .option('-p, --project <file>', 'tsconfig.json of the project (default: ./tsconfig.json)')
      .option('-o, --out <file>', 'manifest to write (default: kestrion.manifest.json beside the tsconfig)')
      .option('--check', 'write nothing; exit 1 with a diff when the manifest is stale (for CI)')
      .option('-w, --watch', 'recompile whenever a source file changes')
      .addHelpText(
        'after',
        '\nExit codes: 0 ok, 1 compile errors or stale manifest, 2 wrong usage or configuration.',
      ),
    ['kestrion compile --project tsconfig.json --out kestrion.manifest.json', 'kestrion compile --check'],
  ).action(
    action(state, async (ctx, opts: { project?: string; out?: string; check?: boolean; watch?: boolean }) => {
      const argv = [
        ...(opts.project !== undefined ? ['--project', opts.project] : []),
        ...(opts.out !== undefined ? ['--out', opts.out] : []),
        ...(opts.check ? ['--check'] : []),
        ...(opts.watch ? ['--watch'] : []),
      ];
      const out: string[] = [];
      const err: string[] = [];
      const json = ctx.out.json;
      // ts-morph (and TypeScript) load only for this command.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runCli } = require('@kestrion/compiler') as typeof import('@kestrion/compiler');
      const code = await runCli(argv, {
        out: (l) => (json ? out.push(l) : ctx.io.stdout.write(`${l}\n`)),
        err: (l) => {
          err.push(l);
          ctx.io.stderr.write(`${l}\n`);
        },
      });
      if (json) ctx.out.result({ exitCode: code, output: out, diagnostics: err }, () => out);
      // --watch: runCli resolved once watching started; the watchers keep the process until Ctrl-C.
      if (opts.watch && code === 0) await new Promise<never>(() => undefined);
      return code;
    }),
  );
}
