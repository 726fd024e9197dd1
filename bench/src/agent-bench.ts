import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '@kestrion/agent';
import { ManifestCompiler } from '@kestrion/compiler';
import { InMemoryStore, type Store, type ToolManifest } from '@kestrion/core';
import { openStore } from '@kestrion/store';
import { BenchAgent } from './agent/bench-agent';
import { countingStore } from './agent/counting-store';
import { instantProvider } from './agent/instant-provider';
import { openaiAgentsLoop, writeDurably } from './agent/openai-agents-loop';
import { inside } from './agent/stopwatch';
import { fmt, machineNote, median, progress, timeMs, writeReport } from './bench-util';

const TURNS = 50;
const REPS = 7;
const BAR_MS = 1;
const FIXTURE = join(__dirname, '..', 'fixtures', 'agent', 'tsconfig.json');

interface PerTurn {
  /** Median over the reps of (run time - time inside the fake model and tools) / turns, ms. */
  overhead: number;
  /** Median time inside the fake model and tools per turn, ms. */
  inside: number;
}

/** One discarded warm-up run, then the median of REPS runs of TURNS turns each. */
async function perTurn(runOnce: () => Promise<void>): Promise<PerTurn> {
  await runOnce();
  inside.take();
  const overheads: number[] = [];
  const insides: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const total = await timeMs(runOnce);
    const ins = inside.take();
    overheads.push((total - ins) / TURNS);
    insides.push(ins / TURNS);
  }
  return { overhead: median(overheads), inside: median(insides) };
}

function compileManifest(): ToolManifest {
  const result = ManifestCompiler.fromTsConfig(FIXTURE).compile();
  if (result.diagnostics.length > 0)
    throw new Error(`the agent bench fixture does not compile: ${result.diagnostics[0]?.message}`);
  return result.manifest;
}

interface KestrionResult {
  perTurn: PerTurn;
  /** Events of one run. */
  events: number;
  /** Store write calls (transactions) of one run by method, counted on an extra run outside the timings. */
  writes: Map<string, number>;
}

async function kestrion(store: Store, manifest: ToolManifest): Promise<KestrionResult> {
  const runner = (s: Store) => {
    const agent = new Agent(new BenchAgent(), {
      provider: instantProvider(TURNS),
      store: s,
      model: 'instant',
      manifest,
      maxTurns: TURNS + 5,
    });
    return async () => {
      const run = await agent.run('go');
      if (run.status !== 'completed')
        throw new Error(`Kestrion bench run ended ${run.status}: ${run.error?.message}`);
      return run.eventCount;
    };
  };
  const runOnce = runner(store);
  const result = await perTurn(async () => void (await runOnce()));
  const counting = countingStore(store);
  const events = await runner(counting.store)();
  return { perTurn: result, events, writes: counting.writes };
}

interface Row {
  what: string;
  kestrion: number;
  peer: number;
  bar: string;
  pass: boolean | undefined;
}

/**
 * Agent bench: per-turn framework overhead of the tool loop (a model that answers instantly,
 * one cheap tool call per turn) on Kestrion, SQLite FULL and in memory, beside the same loop on
 * `@openai/agents` with and without its RunState written with fsync after every turn.
 */
export async function runAgentBench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'kestrion-agent-bench-'));
  try {
    progress('compiling the bench agent manifest');
    const manifest = compileManifest();
    progress(`${TURNS}-turn runs, 1 warm-up + ${REPS} per configuration`);
    const full = await openStore(`sqlite://${join(dir, 'a.db')}`);
    let kFull: Awaited<ReturnType<typeof kestrion>>;
    try {
      kFull = await kestrion(full, manifest);
    } finally {
      await full.close();
    }
    const kMem = await kestrion(new InMemoryStore(), manifest);
    const checkpoint = join(dir, 'openai-agents-state.json');
    const oDurable = await perTurn(openaiAgentsLoop(TURNS, checkpoint).bind(null, 'go'));
    const checkpointBytes = statSync(checkpoint).size;
    const oPlain = await perTurn(openaiAgentsLoop(TURNS).bind(null, 'go'));
    const fsyncs: number[] = [];
    for (let i = 0; i < 50; i++)
      fsyncs.push(await timeMs(async () => writeDurably(join(dir, 'fsync.txt'), 'x'.repeat(1024))));
    const fsyncMs = median(fsyncs);

    const rows: Row[] = [
      {
        what: 'durable: Kestrion SQLite FULL vs @openai/agents + RunState fsync per turn',
        kestrion: kFull.perTurn.overhead,
        peer: oDurable.overhead,
        bar: `Kestrion < ${BAR_MS} ms`,
        pass: kFull.perTurn.overhead < BAR_MS,
      },
      {
        what: 'not durable: Kestrion InMemoryStore vs @openai/agents, no checkpoint',
        kestrion: kMem.perTurn.overhead,
        peer: oPlain.overhead,
        bar: '—',
        pass: undefined,
      },
    ];
    const table = rows.map(
      (r) =>
        `| ${r.what} | ${fmt(r.kestrion, 3)} | ${fmt(r.peer, 3)} | ${fmt(r.peer / r.kestrion)}× | ${r.bar} | ${r.pass === undefined ? '—' : r.pass ? 'pass' : '**fail**'} |`,
    );
    const writes = [...kFull.writes.values()].reduce((a, b) => a + b, 0);
    const byMethod = [...kFull.writes].map(([m, n]) => `${n} \`${m}\``).join(', ');
    const insideMax = Math.max(kFull.perTurn.inside, kMem.perTurn.inside, oDurable.inside, oPlain.inside);
    const md = [
      '# Agent benchmark',
      '',
      `\`npm run bench -- agent\`: framework overhead per turn of the tool loop, Kestrion's \`Agent\` beside the same loop on \`@openai/agents\` 0.12, in one run. A run is ${TURNS} turns: ${TURNS - 1} turns in which the model asks for one tool call (two tools, alternating, each returning at once), then a final answer. Both models answer instantly in process (a \`Provider\` / a \`Model\` object, no network). Overhead per turn = (run time − time inside the model and the tools) / ${TURNS}; the time inside them was at most ${fmt(insideMax, 4)} ms per turn. One warm-up run per configuration, then the median of ${REPS}.`,
      '',
      '| measurement (ms per turn) | Kestrion | @openai/agents | ratio | bar | verdict |',
      '|---|---|---|---|---|---|',
      ...table,
      '',
      `- Kestrion: \`new Agent(new BenchAgent(), { provider, store, model, manifest })\`, the manifest compiled at bench time by \`ManifestCompiler\` from \`bench/fixtures/agent/tsconfig.json\`; store \`openStore('sqlite://<tmp>/a.db')\` (synchronous FULL, the default) or \`InMemoryStore\`. A run appends ${kFull.events} events (${fmt(kFull.events / TURNS, 1)} per turn) in ${writes} store transactions (${fmt(writes / TURNS, 1)} per turn: ${byMethod}), each one fsynced under FULL before the loop moves on: the durable row is mostly those fsyncs, the in-memory row is the engine's CPU.`,
      `- @openai/agents: \`Agent\` with the same two tools (\`tool()\`, zod 4 schemas) and a custom \`Model\`, driven by \`new Runner({ tracingDisabled: true }).run()\`. The SDK has no per-turn checkpoint of its own: \`RunState\` (\`toString()\`, \`RunState.fromString()\`) is its documented pause/resume boundary, and its maintainers point to persisting it from the run hooks as you go (openai/openai-agents-js#441). The durable row does that: the run starts from a \`RunState\` built by the bench, which the runner advances in place, and the runner's \`agent_tool_end\` hook serializes it and overwrites one file with \`writeSync\` + \`fsyncSync\` after every tool call (one per turn here), plus once when the run returns: ${TURNS} fsynced checkpoints per run, the last ${fmt(checkpointBytes / 1024, 1)} KB. The checkpoint is taken as the tool finishes, just before its output joins the state, so a resume from it would run that tool again; Kestrion's log has the result.`,
      `- The ratio is @openai/agents ÷ Kestrion: above 1× means Kestrion spends less per turn. For scale, one \`writeSync\` + \`fsyncSync\` of 1 KB on this disk takes ${fmt(fsyncMs, 3)} ms (median of 50).`,
      '',
      machineNote(),
      '',
    ].join('\n');
    return writeReport('agent', md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
