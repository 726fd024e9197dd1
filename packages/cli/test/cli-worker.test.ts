/**
 * `kestrion submit` and `kestrion worker` as processes: --until-idle drives submitted runs to
 * their end and exits 0, spans go out live with --otel, and SIGTERM stops a worker gracefully.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunPage } from '@kestrion/core';
import { FIXTURES, jsonOf, kestrion, KESTRION_BIN, OPS_AGENT } from './helpers/run-kestrion';
import { OtlpReceiver } from './helpers/otlp-receiver';

describe('kestrion worker', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kestrion-cli-worker-'));
    const manifest = join(dir, 'kestrion.manifest.json');
    expect(
      (await kestrion(['compile', '--project', join(FIXTURES, 'tsconfig.json'), '--out', manifest])).code,
    ).toBe(0);
    env = { KESTRION_MANIFEST: manifest, KESTRION_STORE: `sqlite://${join(dir, 'runs.db')}` };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('drives submitted runs to completion with --until-idle, exporting spans live, and exits 0', async () => {
    const ids: string[] = [];
    for (const [i, key] of ['acme', 'acme', 'globex'].entries()) {
      const r = await kestrion(
        ['submit', OPS_AGENT, `check api ${i}`, '--priority', String(i), '--concurrency-key', key, '--json'],
        env,
      );
      expect(r.code).toBe(0);
      ids.push(jsonOf<{ runId: string }>(r).runId);
    }
    const pending = jsonOf<RunPage>(await kestrion(['runs', '--status', 'pending', '--json'], env));
    expect(pending.runs.map((r) => r.runId).sort()).toEqual([...ids].sort());

    const receiver = new OtlpReceiver();
    const endpoint = await receiver.start();
    let worker;
    try {
      worker = await kestrion(
        [
          'worker',
          OPS_AGENT,
          '--until-idle',
          '--concurrency',
          '2',
          '--concurrency-key-limit',
          '1',
          '--otel',
          endpoint,
          '--json',
        ],
        env,
      );
    } finally {
      await receiver.stop();
    }
    expect(worker.code).toBe(0);
    const summary = jsonOf<{ outcomes: Record<string, number>; errors: unknown[] }>(worker);
    expect(summary).toMatchObject({ outcomes: { completed: 3 }, errors: [] });
    expect(worker.stderr).toContain('driving ops from sqlite://');
    for (const id of ids) expect(worker.stderr).toContain(`✓ ${id} completed`);

    const done = jsonOf<RunPage>(await kestrion(['runs', '--status', 'completed', '--json'], env));
    expect(done.runs.map((r) => r.runId).sort()).toEqual([...ids].sort());
    // Live export: per run, its root, two model calls and one tool call.
    for (const id of ids) {
      const root = receiver.spans.find(
        (s) => s.name === 'invoke_agent ops' && s.attributes['kestrion.run.id'] === id,
      );
      expect(root).toBeDefined();
      const children = receiver.spans.filter((s) => s.parentSpanId === root?.spanId);
      expect(children.map((s) => s.name).sort()).toEqual([
        'chat scripted-1',
        'chat scripted-1',
        'execute_tool getReplicas',
      ]);
    }
  });

  it('leaves a parked run alone, and once it is approved drives it on, exporting what the decision ended', async () => {
    const parked = await kestrion(['run', OPS_AGENT, 'scale api', '--json'], env);
    expect(parked.code).toBe(3);
    const { runId } = jsonOf<{ runId: string }>(parked);
    const idle = await kestrion(['worker', OPS_AGENT, '--until-idle'], env);
    expect(idle.code).toBe(0);
    expect(idle.stdout).toContain('idle: 0 drive(s)');

    expect((await kestrion(['approve', runId, '--agent', OPS_AGENT, '--as', 'alice'], env)).code).toBe(0);
    const receiver = new OtlpReceiver();
    const endpoint = await receiver.start();
    let r;
    try {
      r = await kestrion(['worker', OPS_AGENT, '--until-idle', '--otel', endpoint], env);
    } finally {
      await receiver.stop();
    }
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('idle: 1 drive(s) (1 completed)');
    // Ended during this drive or by the approval that preceded it; what ended in `kestrion run`
    // (a process without --otel) is not sent live.
    expect(receiver.spans.map((s) => s.name).sort()).toEqual([
      'approval scale',
      'chat scripted-1',
      'execute_tool scale',
      'invoke_agent ops',
      'wait approval',
    ]);
    const tool = receiver.spans.find((s) => s.name === 'execute_tool scale');
    expect(receiver.spans.find((s) => s.name === 'approval scale')?.parentSpanId).toBe(tool?.spanId);
  });

  it('stops gracefully on SIGTERM and exits 0', async () => {
    const child = spawn(
      process.execPath,
      [KESTRION_BIN, 'worker', OPS_AGENT, '--metrics-port', '0', '--metrics-host', '127.0.0.1'],
      {
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    const started = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('driving ops')) resolve();
      }),
    );
    await started;
    const port = Number(/probes and metrics on port (\d+)/.exec(stderr)?.[1]);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: stopped');
  });
});
