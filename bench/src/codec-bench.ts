/**
 * The append codec's cost per event: `encodeEvents` (checks type, at, id, v, the data's JSON
 * faithfulness and depth, serializes and size-checks) on three typical events, 100k encodes
 * each, against `JSON.stringify` of the same data (what the codec did before it checked).
 * Two paths: a plain append (the codec walks and serializes), and the engine's (the writer
 * checks and serializes once with `encodeEventData` when it defers the event; the append
 * reuses the text).
 */
import { defaultEventRegistry, type NewEvent } from '@kestrion/core';
import { encodeEventData, encodeEvents } from '@kestrion/core/store-kit';
import { fmt, machineNote, median, progress, writeReport } from './bench-util';

const N = 100_000;
const ROUNDS = 7;
const at = '2026-01-01T00:00:00.000Z';
const opts = { registry: defaultEventRegistry(), maxEventBytes: 1024 * 1024 };

const EVENTS: Record<string, NewEvent> = {
  'node.entered (small)': {
    id: 'evt_0192a3b4c5d6e7f8',
    type: 'node.entered',
    at,
    data: { node: 'plan', visit: 3 },
  },
  'tool.requested (~400 B)': {
    id: 'evt_0192a3b4c5d6e7f9',
    type: 'tool.requested',
    at,
    data: {
      callId: 'call_0192a3b4c5d6',
      stepKey: '3:0',
      tool: 'apply_manifest',
      argsHash: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      args: {
        namespace: 'prod',
        deployment: 'checkout-api',
        replicas: 5,
        dryRun: false,
        labels: { app: 'checkout', tier: 'web' },
        items: [
          { name: 'a', when: '2026-01-01T00:00:00.000Z', n: 1 },
          { name: 'b', when: '2026-01-01T00:00:00.000Z', n: 2 },
          { name: 'c', when: null, n: 3.5 },
        ],
      },
    },
  },
  'llm.completed (~2.5 KB)': {
    id: 'evt_0192a3b4c5d6e7fa',
    type: 'llm.completed',
    at,
    cost: { usd: 0.0123, inputTokens: 1234, outputTokens: 456 },
    data: {
      stepKey: '2:0',
      response: {
        text: 'Lorem ipsum dolor sit amet, "quoted" \n newline '.repeat(30),
        toolCalls: [{ id: 'tu_1', name: 'get_logs', arguments: { pod: 'checkout-api-7d9', lines: 200 } }],
        usage: { inputTokens: 1234, outputTokens: 456, cacheReadTokens: 0, cacheWriteTokens: 0 },
        stopReason: 'tool_use',
        model: 'claude-sonnet-4-5',
        messages: Array.from({ length: 10 }, (_, i) => ({
          role: i % 2 ? 'assistant' : 'user',
          content: `message number ${i} with some text in it`,
        })),
      },
    },
  },
};

function nsPer(fn: () => unknown): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn();
  return Number(process.hrtime.bigint() - t) / N;
}

export async function runCodecBench(): Promise<string> {
  const rows: string[] = [];
  for (const [label, e] of Object.entries(EVENTS)) {
    progress(label);
    const variants: Record<string, () => unknown> = {
      'JSON.stringify only': () => JSON.stringify(e.data),
      'plain append': () => encodeEvents('run-1', 0, [e], opts),
      'engine: encodeEventData + append': () =>
        encodeEvents('run-1', 0, [encodeEventData('run-1', e).event], opts),
    };
    const times: Record<string, number[]> = {};
    for (const fn of Object.values(variants)) for (let i = 0; i < 5_000; i++) fn();
    for (let r = 0; r < ROUNDS; r++)
      for (const [name, fn] of Object.entries(variants)) (times[name] ??= []).push(nsPer(fn));
    const cell = (name: string) => `${fmt((median(times[name] ?? []) * N) / 1e6, 0)} ms`;
    rows.push(
      `| ${label} | ${JSON.stringify(e.data).length} | ${cell('JSON.stringify only')} | ${cell('plain append')} | ${cell('engine: encodeEventData + append')} |`,
    );
  }
  const md = [
    '# Append codec',
    '',
    `Time for ${N.toLocaleString('en-US')} encodes of one event (median of ${ROUNDS} interleaved rounds). ${machineNote()}`,
    '',
    '| event | data bytes | JSON.stringify only | plain append (encodeEvents) | engine path (encodeEventData + encodeEvents) |',
    '|---|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
  return writeReport('codec', md);
}
