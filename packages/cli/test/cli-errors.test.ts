/**
 * What the CLI says when something is wrong: the exit code (2 usage, 1 error), a message naming
 * the problem and the fix, and with --json exactly one JSON document on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, jsonOf, kestrion, OPS_AGENT } from './helpers/run-kestrion';

interface ErrorDoc {
  error: { code: string; message: string; fix?: string };
  exitCode: number;
}

describe('kestrion errors and usage', () => {
  let dir: string;
  let store: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kestrion-cli-errors-'));
    store = `sqlite://${join(dir, 'runs.db')}`;
    const manifest = join(dir, 'kestrion.manifest.json');
    const compiled = await kestrion([
      'compile',
      '--project',
      join(FIXTURES, 'tsconfig.json'),
      '--out',
      manifest,
    ]);
    expect(compiled.code).toBe(0);
    env = { KESTRION_MANIFEST: manifest, KESTRION_STORE: store };
    // The store exists once a run was written to it.
    expect((await kestrion(['submit', OPS_AGENT, 'check api'], env)).code).toBe(0);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 on an unknown command, suggesting the closest one', async () => {
    const r = await kestrion(['frok', 'run_1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frok'");
    expect(r.stderr).toContain('Did you mean fork?');
    const json = await kestrion(['frok', '--json']);
    expect(json.code).toBe(2);
    expect(jsonOf<ErrorDoc>(json).error.code).toBe('usage');
  });

  it('exits 2 on a missing argument, an unknown flag and a bad value', async () => {
    expect((await kestrion(['show'], env)).code).toBe(2);
    expect((await kestrion(['runs', '--frobnicate'], env)).code).toBe(2);
    const bad = await kestrion(['runs', '--limit', 'many', '--json'], env);
    expect(bad.code).toBe(2);
    expect(jsonOf<ErrorDoc>(bad).error.message).toContain('--limit takes an integer');
    const status = await kestrion(['runs', '--status', 'done'], env);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('--status "done" is not a run status');
  });

  it('prints help with an example for every command, exit 0', async () => {
    for (const command of [
      'run',
      'submit',
      'resume',
      'approve',
      'reject',
      'cancel',
      'fork',
      'replay',
      'runs',
      'show',
      'trace',
      'worker',
      'compile',
      'migrate',
    ]) {
      const r = await kestrion([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('--store <url>');
      expect(r.stdout).toContain('--json');
      expect(r.stdout).toMatch(/Examples?:\n {2}\$ kestrion /);
    }
  });

  it('exits 1 for an unknown run id, naming the store it searched and the fix', async () => {
    const r = await kestrion(['show', 'run_nope'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run "run_nope" does not exist');
    expect(r.stderr).toContain(
      `Fix: check the run id with \`kestrion runs\`; the store searched was ${store} (from KESTRION_STORE)`,
    );
    const json = await kestrion(['trace', 'run_nope', '--json'], env);
    expect(json.code).toBe(1);
    expect(jsonOf<ErrorDoc>(json)).toMatchObject({ error: { code: 'run_not_found' }, exitCode: 1 });
  });

  it('refuses a store that does not exist instead of creating an empty one', async () => {
    const missing = join(dir, 'nowhere.db');
    const r = await kestrion(['runs', '--store', `sqlite://${missing}`, '--json']);
    expect(r.code).toBe(2);
    expect(jsonOf<ErrorDoc>(r).error.message).toContain(`no store at ${missing}`);
    expect(r.stderr).toContain('Fix: pass --store <url>');
  });

  it('names the exports found and the --export fix for a module without an Agent', async () => {
    const r = await kestrion(['run', join(FIXTURES, 'not-an-agent.ts'), 'hello', '--json'], env);
    expect(r.code).toBe(2);
    const { error } = jsonOf<ErrorDoc>(r);
    expect(error.code).toBe('configuration');
    expect(error.message).toContain('does not export an Agent as its default export');
    expect(error.message).toContain('its exports: Ops (a class), replicas (a number), scale (a function)');
    expect(error.message).toContain('--export <name>');
    const named = await kestrion(['run', OPS_AGENT, 'hello', '--export', 'Ops'], env);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(
      'does not export an Agent as "Ops"; its exports: Ops (a class), default (an Agent). Fix: pass --export default',
    );
    const esm = await kestrion(['run', join(FIXTURES, 'not-an-agent.mts'), 'hello'], env);
    expect(esm.code).toBe(2);
    expect(esm.stderr).toContain('its exports: region (a string)');
    const missing = await kestrion(['run', join(FIXTURES, 'no-such-agent.ts'), 'hello'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
  });

  it('refuses an approval from a role the chain does not need next, and names the role', async () => {
    const run = await kestrion(['run', OPS_AGENT, 'restart api', '--json'], env);
    expect(run.code).toBe(3);
    const { runId, pending } = jsonOf<{ runId: string; pending: { requiredRoles: string[] }[] }>(run);
    expect(pending[0]?.requiredRoles).toEqual(['sre']);
    const wrong = await kestrion(
      ['approve', runId, '--agent', OPS_AGENT, '--as', 'bob', '--role', 'dev', '--json'],
      env,
    );
    expect(wrong.code).toBe(1);
    const doc = jsonOf<ErrorDoc>(wrong);
    expect(doc.error).toMatchObject({ code: 'approval_mismatch' });
    expect(doc.error.message).toContain('the next approval must come from role sre, not dev');
    expect(doc.error.fix).toContain('--role <role>');
    // Holding several roles, the approver decides with the one the chain needs.
    const right = await kestrion(
      ['approve', runId, '--agent', OPS_AGENT, '--as', 'bob', '--role', 'dev', '--role', 'sre'],
      env,
    );
    expect(right.code).toBe(0);
    expect(right.stdout).toContain('approved by bob as sre');
    const done = await kestrion(['resume', runId, '--agent', OPS_AGENT], env);
    expect(done.code).toBe(0);
  });

  it('exits 5 for a cancelled run it drives, and 0 for the cancel itself', async () => {
    const run = jsonOf<{ runId: string }>(await kestrion(['run', OPS_AGENT, 'scale api', '--json'], env));
    const cancelled = await kestrion(
      ['cancel', run.runId, '--agent', OPS_AGENT, '--as', 'carol', '--reason', 'wrong cluster', '--json'],
      env,
    );
    expect(cancelled.code).toBe(0);
    expect(jsonOf<{ status: string }>(cancelled).status).toBe('cancelled');
    const resumed = await kestrion(['resume', run.runId, '--agent', OPS_AGENT], env);
    expect(resumed.code).toBe(5);
  });

  it('forks a run from the store alone, and replays a run against the module', async () => {
    const run = jsonOf<{ runId: string; eventCount: number }>(
      await kestrion(['run', OPS_AGENT, 'check api', '--json'], env),
    );
    const fork = await kestrion(['fork', run.runId, '--at', '3', '--json'], env);
    expect(fork.code).toBe(0);
    const forked = jsonOf<{ runId: string; forkedFrom: string; eventCount: number }>(fork);
    expect(forked).toMatchObject({ forkedFrom: run.runId, eventCount: 4 });
    const replay = await kestrion(['replay', run.runId, '--agent', OPS_AGENT, '--json'], env);
    expect(replay.code).toBe(0);
    expect(jsonOf<{ matches: boolean; compared: number }>(replay)).toMatchObject({ matches: true });
    const late = await kestrion(['fork', run.runId, '--at', '999'], env);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(`choose 1..${run.eventCount}`);
  });
});
