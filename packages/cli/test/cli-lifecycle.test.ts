/**
 * The built CLI as a user runs it, one process per step, on SQLite and PostgreSQL: run parks at
 * a gated tool (exit 3), approve, resume (exit 0), show, trace (--json totals equal the fold's),
 * and trace --otel into a loopback OTLP/HTTP receiver (span names, parents, attributes, times).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunTrace, RunView, StoredEvent, Store } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { createTestDatabase, type TestDatabase } from '@kestrion/testing';
import { FIXTURES, jsonOf, kestrion, OPS_AGENT } from './helpers/run-kestrion';
import { nanos, OtlpReceiver } from './helpers/otlp-receiver';

type StoreKind = 'sqlite' | 'postgres';

describe.each<StoreKind>(['sqlite', 'postgres'])(
  'kestrion run → approve → resume → show → trace on %s',
  (kind) => {
    let dir: string;
    let db: TestDatabase | undefined;
    let storeUrl: string;
    let env: Record<string, string>;
    let runId: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kestrion-cli-'));
      if (kind === 'postgres') {
        db = await createTestDatabase('kestrion_cli');
        storeUrl = db.url;
      } else storeUrl = `sqlite://${join(dir, 'runs.db')}`;
      const manifest = join(dir, 'kestrion.manifest.json');
      const compiled = await kestrion([
        'compile',
        '--project',
        join(FIXTURES, 'tsconfig.json'),
        '--out',
        manifest,
        '--json',
      ]);
      expect(compiled.code).toBe(0);
      expect(jsonOf<{ exitCode: number }>(compiled).exitCode).toBe(0);
      env = { KESTRION_MANIFEST: manifest };
    });

    afterAll(async () => {
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs until the gated tool and exits 3 (waiting on a person)', async () => {
      const r = await kestrion(['run', OPS_AGENT, 'scale api to 3', '--store', storeUrl, '--json'], env);
      expect(r.code).toBe(3);
      const run = jsonOf<RunView>(r);
      expect(run.status).toBe('waiting_on_human');
      expect(run.pending.map((p) => p.tool)).toEqual(['scale']);
      runId = run.runId;
    });

    it('shows the pending approval with its tool, arguments, roles and deadline', async () => {
      const json = await kestrion(['show', runId, '--json'], { ...env, KESTRION_STORE: storeUrl });
      expect(json.code).toBe(0);
      const view = jsonOf<RunView>(json);
      expect(view.pending).toEqual([
        expect.objectContaining({
          tool: 'scale',
          args: { deployment: 'api', replicas: 3 },
          requiredRoles: [],
        }),
      ]);
      const human = await kestrion(['show', runId, '--store', storeUrl], env);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain('waiting_on_human (waiting on approval)');
      expect(human.stdout).toMatch(/pending\s+scale \{"deployment":"api","replicas":3\}/);
      expect(human.stdout).toContain('roles: any approver');
      expect(human.stdout).toContain('deadline: none');
      expect(human.stdout).not.toContain('\u001b['); // not a terminal: no colour
    });

    it('approves as alice from another process, then resume completes the run (exit 0)', async () => {
      const approved = await kestrion(
        ['approve', runId, '--agent', OPS_AGENT, '--as', 'alice', '--store', storeUrl],
        env,
      );
      expect(approved.stderr).toBe('');
      expect(approved.code).toBe(0);
      expect(approved.stdout).toContain('approved by alice');
      const resumed = await kestrion(
        ['resume', runId, '--agent', OPS_AGENT, '--store', storeUrl, '--json'],
        env,
      );
      expect(resumed.code).toBe(0);
      const run = jsonOf<RunView & { lastMessage?: string }>(resumed);
      expect(run.status).toBe('completed');
      expect(run.output).toBe('Done: api runs 3 replicas.');
    });

    it("traces every step, with totals equal to the fold's", async () => {
      const r = await kestrion(['trace', runId, '--store', storeUrl, '--json'], env);
      expect(r.code).toBe(0);
      const t = jsonOf<RunTrace>(r);
      const events = await readEvents(storeUrl, runId);
      const steps = events
        .filter((e) => e.type === 'llm.requested')
        .map((e) => (e.data as { stepKey: string }).stepKey);
      const calls = events
        .filter((e) => e.type === 'tool.requested')
        .map((e) => (e.data as { callId: string }).callId);
      expect(t.spans.filter((s) => s.kind === 'model').map((s) => s.stepKey)).toEqual(steps);
      expect(t.spans.flatMap((s) => (s.kind === 'tool' ? [s.callId] : []))).toEqual(calls);
      expect(t.spans.filter((s) => s.kind === 'wait').map((s) => s.reason)).toEqual(['approval']);
      const gated = t.spans.find((s) => s.kind === 'tool' && s.tool === 'scale');
      expect(gated).toMatchObject({
        status: 'completed',
        approval: { decisions: [{ decision: 'granted', by: 'alice' }] },
      });
      const view = jsonOf<RunView>(await kestrion(['show', runId, '--store', storeUrl, '--json'], env));
      expect(t.totals).toEqual(view.totals);
      expect(t.totals).toMatchObject({ llmCalls: 3, toolCalls: 2, inputTokens: 360, outputTokens: 90 });
      expect(t.totals.usd).toBeCloseTo(0.0045, 10);

      const human = await kestrion(['trace', runId, '--store', storeUrl], env);
      expect(human.code).toBe(0);
      expect(human.stdout.match(/ model scripted-1 /g)).toHaveLength(3);
      expect(human.stdout).toContain('granted by alice at ');
      expect(human.stdout).toContain('wait  approval');
      expect(human.stdout).toContain('totals   3 model calls, 2 tool calls, 360 tokens in / 90 out, $0.0045');
    });

    // SQLite only: the export does not depend on the store, and the exporter retries a refused
    // connection for about 9 s before it gives up.
    (kind === 'sqlite' ? it : it.skip)(
      'exits 2 naming the endpoint and the fix when nothing receives the spans',
      async () => {
        const receiver = new OtlpReceiver();
        const endpoint = await receiver.start();
        await receiver.stop(); // the port is closed now: the export is refused
        const r = await kestrion(['trace', runId, '--store', storeUrl, '--otel', endpoint], env);
        expect(r.code).toBe(2);
        expect(r.stdout + r.stderr).toContain(`OpenTelemetry export to ${endpoint}`);
        expect(r.stdout + r.stderr).toContain('Fix: check that an OTLP/HTTP receiver listens there');
      },
    );

    it('exports the run as GenAI spans to an OTLP/HTTP receiver, timed by the events', async () => {
      const receiver = new OtlpReceiver();
      const endpoint = await receiver.start();
      try {
        const r = await kestrion(
          ['trace', runId, '--store', storeUrl, '--otel', endpoint, '--provider-name', 'scripted', '--json'],
          env,
        );
        expect(r.code).toBe(0);
        expect(jsonOf<{ otel: { spans: number } }>(r).otel.spans).toBe(receiver.spans.length);
      } finally {
        await receiver.stop();
      }
      expect(receiver.requests.every((q) => q.path === '/v1/traces' && q.contentType.includes('json'))).toBe(
        true,
      );
      const events = await readEvents(storeUrl, runId);
      const first = (type: string, pred: (d: Record<string, unknown>) => boolean = () => true) =>
        events.find((e) => e.type === type && pred(e.data as Record<string, unknown>)) as StoredEvent;
      const spans = receiver.spans;
      const root = spans.find((s) => s.name === 'invoke_agent ops');
      expect(root).toBeDefined();
      if (!root) return;
      expect(root.parentSpanId).toBeUndefined();
      expect(root.startNs).toBe(nanos(first('run.started').at));
      expect(root.endNs).toBe(nanos(first('run.completed').at));
      expect(root.attributes).toMatchObject({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'ops',
        'gen_ai.conversation.id': runId,
        'gen_ai.usage.input_tokens': 360,
        'gen_ai.usage.output_tokens': 90,
      });
      expect(root.resource['service.name']).toBe('kestrion');
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([root.traceId]));

      const chats = spans.filter((s) => s.name === 'chat scripted-1');
      expect(chats).toHaveLength(3);
      for (const c of chats) {
        expect(c.parentSpanId).toBe(root.spanId);
        expect(c.kind).toBe(3); // CLIENT
        const stepKey = c.attributes['kestrion.step_key'];
        expect(c.startNs).toBe(nanos(first('llm.requested', (d) => d.stepKey === stepKey).at));
        expect(c.endNs).toBe(nanos(first('llm.completed', (d) => d.stepKey === stepKey).at));
        expect(c.attributes).toMatchObject({
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'scripted',
          'gen_ai.request.model': 'scripted-1',
          'gen_ai.usage.input_tokens': 120,
          'gen_ai.usage.output_tokens': 30,
        });
      }
      const tools = spans.filter((s) => s.name.startsWith('execute_tool '));
      expect(tools.map((s) => s.name).sort()).toEqual(['execute_tool getReplicas', 'execute_tool scale']);
      for (const s of tools) {
        const callId = s.attributes['gen_ai.tool.call.id'];
        expect(s.parentSpanId).toBe(root.spanId);
        expect(s.attributes).toMatchObject({
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': s.name.slice(13),
        });
        expect(s.startNs).toBe(nanos(first('tool.requested', (d) => d.callId === callId).at));
        expect(s.endNs).toBe(nanos(first('tool.completed', (d) => d.callId === callId).at));
        expect(s.attributes['gen_ai.tool.call.arguments']).toBeUndefined(); // content is opt-in
      }
      const scale = tools.find((s) => s.name === 'execute_tool scale');
      const approval = spans.find((s) => s.name === 'approval scale');
      expect(approval?.parentSpanId).toBe(scale?.spanId);
      expect(approval?.events).toEqual([
        expect.objectContaining({
          name: 'approval.granted',
          timeNs: nanos(first('approval.granted').at),
          attributes: { 'kestrion.approval.by': 'alice' },
        }),
      ]);
      const wait = spans.find((s) => s.name === 'wait approval');
      expect(wait?.parentSpanId).toBe(root.spanId);
      expect(wait?.startNs).toBe(nanos(first('run.waiting').at));
      expect(spans).toHaveLength(1 + 3 + 2 + 1 + 1);
    });
  },
);

async function readEvents(url: string, runId: string): Promise<StoredEvent[]> {
  const store: Store = await openStore(url);
  try {
    const events: StoredEvent[] = [];
    for await (const e of store.readEvents(runId)) events.push(e);
    return events;
  } finally {
    await store.close();
  }
}
