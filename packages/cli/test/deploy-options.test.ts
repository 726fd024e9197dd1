import { Command } from 'commander';
import type { CliState } from '../src/command-context';
import { registerDeployCommand } from '../src/commands/deploy';
import { parseHpa, parseK8sOptions, parseSecretRef } from '../src/deploy/deploy-options';

async function deploy(
  args: string[],
  withState = true,
): Promise<{ code: number; stdout: string; stderr: string; thrown?: unknown }> {
  let stdout = '';
  let stderr = '';
  const state: CliState = {
    io: { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} },
    exitCode: 0,
  };
  const program = new Command('kestrion')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerDeployCommand(program, withState ? state : undefined);
  try {
    await program.parseAsync(['deploy', ...args], { from: 'user' });
  } catch (thrown) {
    return { code: (thrown as { exitCode: number }).exitCode, stdout, stderr, thrown };
  }
  return { code: state.exitCode, stdout, stderr };
}

describe('kestrion deploy flags', () => {
  it('refuses --replicas with --hpa, naming both, with the usage exit code', async () => {
    const r = await deploy(['--target', 'k8s', '--image', 'acme/a:1', '--replicas', '2', '--hpa', '2:4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--replicas and --hpa exclude each other');
  });

  it('requires a supported --target and an --image that is an image reference', async () => {
    expect((await deploy(['--image', 'acme/a:1'])).stderr).toContain('--target is required');
    expect((await deploy(['--target', 'helm', '--image', 'acme/a:1'])).stderr).toContain(
      '"helm" is not supported',
    );
    expect((await deploy(['--target', 'k8s'])).stderr).toContain('--image is required');
    const bad = await deploy(['--target', 'k8s', '--image', 'Not An Image']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not an image reference');
  });

  it('fails the parse when registered without the program state, so the CLI still exits non-zero', async () => {
    const r = await deploy(
      ['--target', 'k8s', '--image', 'acme/a:1', '--namespace', 'Bad_NS', '--json'],
      false,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--namespace "Bad_NS" is not a valid name');
    // runCli prints the one JSON error document for the CommanderError, with this message
    expect(r.stdout).toBe('');
    expect((r.thrown as Error).message).toMatch(/^--namespace "Bad_NS" is not a valid name/);
  });

  it('parses --hpa and --store-secret', () => {
    expect(parseHpa('2:10')).toEqual({ min: 2, max: 10 });
    expect(() => parseHpa('0:3')).toThrow(/1 <= min <= max/);
    expect(() => parseHpa('5:2')).toThrow(/1 <= min <= max/);
    expect(parseSecretRef('db')).toEqual({ name: 'db', key: 'url' });
    expect(parseSecretRef('db:DATABASE_URL')).toEqual({ name: 'db', key: 'DATABASE_URL' });
    expect(() => parseSecretRef('Db')).toThrow(/not a valid Secret name/);
  });

  it('defaults to two replicas, dist/agent.js and both provider keys', () => {
    const o = parseK8sOptions({ target: 'k8s', image: 'ghcr.io/acme/agents@sha256:' + 'a'.repeat(64) });
    expect(o).toMatchObject({
      name: 'kestrion',
      namespace: 'default',
      replicas: 2,
      hpa: undefined,
      modules: ['dist/agent.js'],
      storeSecret: { name: 'kestrion-store', key: 'url' },
      providerSecret: 'kestrion-providers',
      providerEnv: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'],
    });
  });
});
