import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliState, CommandContext } from '../command-context';
import {
  DEFAULT_KUBECTL_IMAGE,
  DEFAULT_MODULE,
  parseK8sOptions,
  type RawDeployFlags,
} from '../deploy/deploy-options';
import { standaloneAction } from '../deploy/standalone-action';
import { writeK8sDeploy } from '../deploy/write-deploy';
import { EXIT } from '../exit-codes';

interface DeployFlags extends RawDeployFlags {
  out?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/**
 * `kestrion deploy --target k8s --image <ref>`: writes the Kubernetes manifests of a worker
 * deployment (one YAML file per object) and the Dockerfile of its image. Secrets are referenced
 * by name, never read: nothing from the environment ends up in the files.
 */
export function registerDeployCommand(program: Command, state?: CliState): void {
  program
    .command('deploy')
    .description(
      'write Kubernetes manifests (workers, migration Job, metrics Service, config, HPA) and a Dockerfile',
    )
    .option('--target <target>', 'what to deploy to: k8s')
    .option(
      '--image <ref>',
      'the image the workers and the migration run (built from the Dockerfile written here)',
    )
    .option('--name <name>', 'prefix of every object name', 'kestrion')
    .option('--namespace <ns>', 'the namespace of every object', 'default')
    .option('--replicas <n>', 'worker replicas (default 2; not with --hpa)')
    .option('--hpa <min:max>', 'a HorizontalPodAutoscaler on CPU between min and max workers')
    .option(
      '--module <path>',
      `an agent module in the image, repeatable (default ${DEFAULT_MODULE})`,
      collect,
    )
    .option('--concurrency <n>', 'runs each worker drives at once (in the ConfigMap)', '16')
    .option('--store-secret <name[:key]>', 'the Secret key holding the store URL (default <name>-store:url)')
    .option('--provider-secret <name>', 'the Secret holding provider API keys (default <name>-providers)')
    .option(
      '--provider-env <VAR>',
      'a provider key variable taken from that Secret, repeatable (default ANTHROPIC_API_KEY, OPENAI_API_KEY)',
      collect,
    )
    .option(
      '--kubectl-image <ref>',
      'image of the init container that waits for the migration',
      DEFAULT_KUBECTL_IMAGE,
    )
    .option('--out <dir>', 'where to write the files', 'k8s')
    .option('--json', 'print exactly one JSON document on stdout')
    .addHelpText(
      'after',
      '\nThe store URL and provider keys are Secret references (secretKeyRef); create the Secrets yourself.\n' +
        'Workers start after the migration Job completes (an init container waits for it). Docs: docs/deploy.md\n' +
        '\nExample:\n  $ kestrion deploy --target k8s --image ghcr.io/acme/agents:1.4.0 --namespace agents --hpa 2:10\n',
    )
    .action(standaloneAction(program, state, (ctx, flags: DeployFlags) => deploy(ctx, flags)));
}

async function deploy(ctx: CommandContext, flags: DeployFlags): Promise<number> {
  const options = parseK8sOptions(flags);
  const projectDir = process.cwd();
  const outDir = resolve(projectDir, flags.out ?? 'k8s');
  const written = writeK8sDeploy(options, outDir, projectDir);
  const rel = (p: string) => relative(projectDir, p) || '.';
  for (const f of written.files) ctx.out.progress(`  wrote ${rel(f)}`);
  for (const f of written.removed) ctx.out.progress(`  removed ${rel(f)} (no longer generated)`);
  const out = rel(outDir);
  const next = [
    `docker build -f ${out}/Dockerfile -t ${options.image} . && docker push ${options.image}`,
    `kubectl -n ${options.namespace} create secret generic ${options.storeSecret.name} --from-literal=${options.storeSecret.key}='postgres://…'`,
    `kubectl -n ${options.namespace} create secret generic ${options.providerSecret} ${options.providerEnv.map((v) => `--from-literal=${v}=…`).join(' ')}`,
    `kubectl apply -f ${out}/`,
  ];
  ctx.out.result(
    {
      target: 'k8s',
      outDir,
      files: written.files,
      removed: written.removed,
      secrets: [options.storeSecret.name, options.providerSecret],
      next,
    },
    () => [`${written.files.length} files in ${out}/. Next:`, ...next.map((l) => `  ${l}`)],
  );
  return EXIT.ok;
}
