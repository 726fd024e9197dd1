import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestCompiler } from '@kestrion/compiler';
import { isTerminal, type RunState, type StoredEvent } from '@kestrion/core';
import {
  type LedgerEntry,
  type RecordedRequest,
  appliedCounts,
  crashProblems,
  CRASH_STORES,
  type DisposableCrashTarget,
  EffectLedger,
  eventLabels,
  FakeOpenAIServer,
  openCrashTarget,
  readRun,
} from '@kestrion/testing';
import {
  type AgentCrashChildConfig,
  type AgentCrashChildReport,
  agentCrashChildScript,
  CRASH_MODEL,
  crashOpsModel,
  turnOf,
} from '../../../bench/src/agent-crash/agent-crash-protocol';

// The engine's kill-at-every-event matrix (packages/core/test/reliability/kill-every-event),
// run on the agent loop: CrashOpsAgent (bench/src/agent-crash: an idempotent read and a gated,
// non-idempotent `scale`, effects in the crash harness's EffectLedger) on the real OpenAI
// provider against the OpenAI fake server of this process, which records every request and
// answers by the turn it is asked for. For each k, a child runs `agent.run` and is SIGKILLed
// right after the append that makes event k durable (KillingStore); fresh children resume,
// approve (alice), decide unknown outcomes from the ledger, until the run ends. Each run must
// equal the uncrashed one (`crashProblems`), and the provider must see no more requests than
// the uncrashed run plus the one call open at the crash, never one for an answered turn.
// Three more points kill the process from here while the fake holds its request for turn
// 0, 1 or 2 (a call the provider saw but the log did not record as answered), and two kill it
// inside a tool (each tool once) after its effect. Every k runs on SQLite (file); PostgreSQL takes every other k
// plus every llm.requested / tool.started (STRIDE, ALWAYS), to keep the file near a minute
// (about 25-40 s per store on 2 CPUs, trials in LANES parallel lanes).

const LEASE_TTL_MS = 1500;
const LANES = 3;
/** Every k on SQLite; every other k on PostgreSQL (each run takes longer there), plus ALWAYS. */
const STRIDE = { sqlite: 1, postgres: 2 } as const;
/** Crash points kept on every store: a model call or a tool call in flight. */
const ALWAYS = /^(llm\.requested|tool\.started):/;
const NON_IDEMPOTENT = ['scale'];

interface CrashPoint {
  /** SIGKILL right after the append that makes this seq durable. */
  killAfterEvent?: number;
  /** SIGKILL inside this tool, after its effect, before its result is recorded. */
  killInsideTool?: string;
  /** SIGKILL (from this process) once the fake server has received the request for this turn. */
  killDuringTurn?: number;
}

/**
 * Trials run in parallel lanes, each with its own fake server (so a lane's requests are those
 * of its current run) and the child it is running, for the fake to kill in mid-request.
 */
class Lane {
  readonly fake = new FakeOpenAIServer();
  child: ChildProcess | undefined;
  killAtTurn: number | undefined;

  async start(): Promise<this> {
    await this.fake.start();
    this.fake.respondWith((request) => {
      if (this.killAtTurn === undefined || turnOf(request) !== this.killAtTurn) return crashOpsModel(request);
      this.killAtTurn = undefined;
      this.child?.kill('SIGKILL');
      return { kind: 'stall' }; // never answered: the asker is dead
    });
    return this;
  }
}

interface AgentTrial {
  point: CrashPoint;
  runId: string;
  killed: boolean;
  processes: number;
  state: RunState;
  log: StoredEvent[];
  effects: LedgerEntry[];
  decisions: AgentCrashChildReport['decisions'];
  /** This run's requests to the fake server, in arrival order. */
  requests: RecordedRequest[];
  /** How many of them had arrived when the killed process was dead (all, if none was killed). */
  requestsBeforeKill: number;
  /** The run's head seq right after the kill. */
  headAtKill?: number;
  durationMs: number;
}

function runChild(
  lane: Lane,
  cfg: AgentCrashChildConfig,
): Promise<{ killed: boolean; report?: AgentCrashChildReport }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [agentCrashChildScript(), JSON.stringify(cfg)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    lane.child = child;
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') return resolve({ killed: true });
      if (code !== 0)
        return reject(new Error(`agent-crash-child ${cfg.mode} exited ${code ?? signal}: ${err}`));
      const last = out.trim().split('\n').pop() ?? '';
      resolve({ killed: false, report: JSON.parse(last) as AgentCrashChildReport });
    });
  });
}

/**
 * One run in child processes: `run` with the crash point armed, then `finish` processes (the
 * point stays armed until a process was killed) until the run ends.
 */
async function crashAt(
  target: DisposableCrashTarget,
  lane: Lane,
  manifest: string,
  point: CrashPoint = {},
): Promise<AgentTrial> {
  const { fake } = lane;
  const { killDuringTurn, ...childPoint } = point;
  lane.killAtTurn = killDuringTurn;
  const t0 = Date.now();
  const runId = `agent-crash-${randomBytes(6).toString('hex')}`;
  const ledger = join(target.dir, `${runId}.jsonl`);
  const base = {
    storeUrl: target.storeUrl,
    baseURL: fake.url,
    manifest,
    ledger,
    runId,
    leaseTtlMs: LEASE_TTL_MS,
  };
  const firstRequest = fake.requests.length;
  const decisions = { approved: 0, retried: 0, supplied: 0 };
  let killed = false;
  let processes = 0;
  let requestsBeforeKill: number | undefined;
  let headAtKill: number | undefined;
  for (const mode of ['run', 'finish', 'finish', 'finish'] as const) {
    const out = await runChild(lane, { ...base, mode, ...(killed ? {} : childPoint) });
    processes += 1;
    for (const [k, n] of Object.entries(out.report?.decisions ?? {}))
      decisions[k as keyof typeof decisions] += n;
    const rec = await target.store.getRun(runId);
    if (out.killed && !killed) {
      killed = true;
      requestsBeforeKill = fake.requests.length - firstRequest;
      headAtKill = rec?.headSeq ?? 0;
    }
    if (rec && isTerminal(rec.status)) break;
  }
  lane.killAtTurn = undefined;
  const { state, log } = await readRun(target.store, runId);
  const requests = fake.requests.slice(firstRequest);
  return {
    point,
    runId,
    killed,
    processes,
    state,
    log,
    effects: new EffectLedger(ledger).entries(),
    decisions,
    requests,
    requestsBeforeKill: requestsBeforeKill ?? requests.length,
    ...(headAtKill !== undefined ? { headAtKill } : {}),
    durationMs: Date.now() - t0,
  };
}

type RequestView = Pick<AgentTrial, 'log' | 'requests' | 'requestsBeforeKill' | 'headAtKill'>;

/**
 * What the provider saw that it should not have: more requests than the uncrashed run plus
 * the calls open at the crash (`llm.requested` durable, its `llm.completed` not), more than one
 * open call, or, after the crash, a request for a turn whose answer was already in the log.
 */
function requestProblems(uncrashed: number, t: RequestView): string[] {
  const problems: string[] = [];
  const atKill = t.log.filter((e) => t.headAtKill === undefined || e.seq <= t.headAtKill);
  const stepOf = (e: StoredEvent) => String((e.data as { stepKey?: unknown }).stepKey);
  const answered = new Set(atKill.filter((e) => e.type === 'llm.completed').map(stepOf));
  const open = new Set(
    atKill.filter((e) => e.type === 'llm.requested' && !answered.has(stepOf(e))).map(stepOf),
  );
  if (open.size > 1) problems.push(`${open.size} model calls open at the crash`);
  if (t.requests.length > uncrashed + open.size)
    problems.push(`${t.requests.length} requests > ${uncrashed} uncrashed + ${open.size} open at the crash`);
  // Turns are sequential: the first `answered.size` turns had their answer in the log.
  t.requests.slice(t.requestsBeforeKill).forEach((r) => {
    const turn = turnOf(r);
    if (turn < answered.size) problems.push(`turn ${turn} requested after the crash though it was answered`);
  });
  const perTurn = new Map<number, number>();
  for (const r of t.requests) perTurn.set(turnOf(r), (perTurn.get(turnOf(r)) ?? 0) + 1);
  for (const [turn, n] of perTurn)
    if (n > (turn === answered.size && open.size === 1 ? 2 : 1))
      problems.push(`turn ${turn} requested ${n} times`);
  return problems;
}

let manifest: string;
let manifestDir: string;

beforeAll(() => {
  const result = ManifestCompiler.fromTsConfig(
    join(__dirname, '..', '..', '..', 'bench', 'fixtures', 'agent-crash', 'tsconfig.json'),
  ).compile();
  expect(result.diagnostics).toEqual([]);
  manifestDir = mkdtempSync(join(tmpdir(), 'kestrion-agent-crash-manifest-'));
  manifest = join(manifestDir, 'kestrion.manifest.json');
  writeFileSync(manifest, JSON.stringify(result.manifest));
});
afterAll(() => rmSync(manifestDir, { recursive: true, force: true }));

describe('the request check of the agent crash matrix', () => {
  const completedLog = (): StoredEvent[] =>
    ['llm.requested', 'llm.completed', 'llm.requested'].map((type, i) => ({
      runId: 'r',
      seq: i + 1,
      id: `e${i}`,
      type,
      v: 1,
      at: '',
      data: { stepKey: i < 2 ? 's1' : 's2' },
    }));
  const request = (tools: number): RecordedRequest => ({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {},
    body: { messages: Array.from({ length: tools }, () => ({ role: 'tool', content: '{}' })) },
    streamed: false,
    atMs: 0,
  });

  it('flags a request, after the crash, for a turn whose answer was already in the log', () => {
    const log = completedLog();
    const requests = [request(0), request(0), request(1)];
    expect(requestProblems(2, { log, requests, requestsBeforeKill: 1, headAtKill: 3 })).toEqual([
      'turn 0 requested after the crash though it was answered',
      'turn 0 requested 2 times',
    ]);
  });

  it('flags more requests than the uncrashed run plus the one open call', () => {
    const log = completedLog();
    const requests = [request(0), request(1), request(1), request(1)];
    expect(requestProblems(2, { log, requests, requestsBeforeKill: 2, headAtKill: 3 })).toEqual([
      '4 requests > 2 uncrashed + 1 open at the crash',
      'turn 1 requested 3 times',
    ]);
  });

  it('accepts one re-issued request for the call open at the crash', () => {
    const log = completedLog();
    const requests = [request(0), request(1), request(1)];
    expect(requestProblems(2, { log, requests, requestsBeforeKill: 2, headAtKill: 3 })).toEqual([]);
  });
});

describe.each(CRASH_STORES)('the agent loop killed at every event boundary (%s)', (kind) => {
  const lanes = Array.from({ length: LANES }, () => new Lane());
  let target: DisposableCrashTarget;
  let baseline: AgentTrial;
  let trials: AgentTrial[];

  beforeAll(async () => {
    await Promise.all(lanes.map((l) => l.start()));
    target = await openCrashTarget(kind, 'agent_crash');
    baseline = await crashAt(target, lanes[0]!, manifest);
    const labels = eventLabels(baseline.log);
    const points: CrashPoint[] = [
      ...baseline.log
        .filter((e, i) => (e.seq - 1) % STRIDE[kind] === 0 || ALWAYS.test(labels[i] ?? ''))
        .map((e) => ({ killAfterEvent: e.seq })),
      { killInsideTool: 'readReplicas' },
      { killInsideTool: 'scale' },
      ...[0, 1, 2].map((turn) => ({ killDuringTurn: turn })),
    ];
    trials = new Array<AgentTrial>(points.length);
    let next = 0;
    await Promise.all(
      lanes.map(async (lane) => {
        for (let i = next++; i < points.length; i = next++)
          trials[i] = await crashAt(target, lane, manifest, points[i]);
      }),
    );
  }, 180_000);
  afterAll(async () => {
    await Promise.all(lanes.map((l) => l.fake.close()));
    await target?.dispose();
  });

  it('runs an uncrashed agent run of three model turns, a read, an approval and a scale', () => {
    const labels = eventLabels(baseline.log);
    expect(baseline.state.status).toBe('completed');
    expect(baseline.state.output).toBe('Scaled: {"deployment":"web","replicas":3}');
    expect(labels).toEqual(
      expect.arrayContaining([
        'tool.completed:readReplicas',
        'approval.granted:scale',
        'tool.completed:scale',
        'run.completed',
      ]),
    );
    expect(labels.filter((l) => l.startsWith('llm.completed:'))).toHaveLength(3);
    expect(baseline.requests.map(turnOf)).toEqual([0, 1, 2]);
    expect(baseline.decisions).toEqual({ approved: 1, retried: 0, supplied: 0 });
    expect(appliedCounts(baseline.effects)).toEqual({ readReplicas: 1, scale: 1 });
    for (const r of baseline.requests) {
      expect(r.path).toBe('/v1/chat/completions');
      expect(r.headers.authorization).toBe('Bearer test');
      expect((r.body as { model?: string }).model).toBe(CRASH_MODEL);
    }
  });

  it('kills a process at every event boundary of the chosen stride, at every call in flight, and inside both tools', () => {
    const labels = eventLabels(baseline.log);
    const ks = trials.flatMap((t) => (t.point.killAfterEvent === undefined ? [] : [t.point.killAfterEvent]));
    const inFlight = labels.flatMap((l, i) => (ALWAYS.test(l) ? [i + 1] : []));
    expect(ks).toEqual(expect.arrayContaining(inFlight));
    expect(inFlight.length).toBeGreaterThanOrEqual(5); // three model calls, two tool calls
    if (STRIDE[kind] === 1) expect(ks).toEqual(baseline.log.map((e) => e.seq));
    else expect(ks.length).toBeGreaterThanOrEqual(Math.ceil(baseline.log.length / STRIDE[kind]));
    expect(trials.filter((t) => t.point.killInsideTool !== undefined)).toHaveLength(2);
    expect(trials.filter((t) => t.point.killDuringTurn !== undefined)).toHaveLength(3);
    expect(trials.filter((t) => !t.killed).map((t) => t.point)).toEqual([]);
  });

  it('ends every crashed run equal to the uncrashed one, gap-free, each effect at most once, scale exactly once', () => {
    const bad = trials
      .map((t) => ({ point: t.point, problems: crashProblems(baseline, t, NON_IDEMPOTENT) }))
      .filter((t) => t.problems.length > 0);
    expect(bad).toEqual([]);
    for (const t of trials) expect(appliedCounts(t.effects)).toEqual({ readReplicas: 1, scale: 1 });
  });

  it('sends the provider at most one re-issued request per crash and never one for an answered turn', () => {
    const bad = trials
      .map((t) => ({ point: t.point, problems: requestProblems(baseline.requests.length, t) }))
      .filter((t) => t.problems.length > 0);
    expect(bad).toEqual([]);
  });

  it('re-issues a model call killed in flight exactly once, and asks for no answered turn again', () => {
    for (const turn of [0, 1, 2]) {
      const trial = trials.find((t) => t.point.killDuringTurn === turn)!;
      const turns = trial.requests.map(turnOf);
      expect({ turn, turns }).toEqual({ turn, turns: [0, 1, 2].flatMap((t) => (t === turn ? [t, t] : [t])) });
      expect(trial.requests).toHaveLength(baseline.requests.length + 1);
      // The killed process had recorded the request, not the answer: recovery asked once more.
      const requested = trial.log.filter((e) => e.type === 'llm.requested');
      expect(requested.map((e) => (e.data as { attempt: number }).attempt)).toEqual(
        [0, 1, 2].flatMap((t) => (t === turn ? [1, 2] : [1])),
      );
    }
  });

  it('parks the scale killed after tool.started until alice retries it, and supplies it when killed after its effect', () => {
    const k = eventLabels(baseline.log).indexOf('tool.started:scale') + 1;
    const started = trials.find((t) => t.point.killAfterEvent === k)!;
    expect(eventLabels(started.log)).toEqual(
      expect.arrayContaining([
        'tool.outcome_unknown:scale',
        'run.waiting:outcome_unknown',
        'tool.retry_approved:scale',
      ]),
    );
    expect(started.decisions).toMatchObject({ retried: 1, supplied: 0 });
    const inside = trials.find((t) => t.point.killInsideTool === 'scale')!;
    expect(eventLabels(inside.log)).toContain('tool.outcome_unknown:scale');
    expect(inside.decisions).toMatchObject({ retried: 0, supplied: 1 });
    expect(inside.effects.filter((e) => e.name === 'scale')).toHaveLength(1);
  });

  it('retries the read killed mid-effect on its own, with the same key and no second effect', () => {
    const trial = trials.find((t) => t.point.killInsideTool === 'readReplicas')!;
    const reads = trial.effects.filter((e) => e.name === 'readReplicas');
    expect(reads.map((e) => e.applied)).toEqual([true, false]);
    expect(reads[0]!.key).toBe(reads[1]!.key);
    expect(eventLabels(trial.log)).not.toContain('tool.outcome_unknown:readReplicas');
  });
});
