import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FakeTurn, RecordedRequest } from '@kestrion/testing';

/** The model the crash matrix's agent asks for (the fake server answers any). */
export const CRASH_MODEL = 'gpt-4.1-mini';
export const CRASH_INPUT = 'Make sure web runs 3 replicas.';

/** What `agent-crash-child` does; one JSON argument. */
export interface AgentCrashChildConfig {
  /** `run`: `agent.run(CRASH_INPUT)` as run `runId`. `finish`: resume, approve, decide, until it ends. */
  mode: 'run' | 'finish';
  storeUrl: string;
  /** The OpenAI fake server's base URL (ends in `/v1`). */
  baseURL: string;
  /** Path of CrashOpsAgent's compiled tool manifest. */
  manifest: string;
  /** The effect ledger (JSON lines) every process of one run shares. */
  ledger: string;
  runId: string;
  leaseTtlMs: number;
  /** SIGKILL right after the append that makes this seq durable has resolved. */
  killAfterEvent?: number;
  /** SIGKILL inside this tool, after its effect, before its result is recorded. */
  killInsideTool?: string;
}

/** The last stdout line of a child that was not killed. */
export interface AgentCrashChildReport {
  pid: number;
  status: string;
  decisions: { approved: number; retried: number; supplied: number };
}

/** The compiled child script (tests run from `src/` under ts-jest, children from `dist/`). */
export function agentCrashChildScript(): string {
  const path = resolve(__dirname, '..', '..', 'dist', 'agent-crash', 'agent-crash-child.js');
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npm run build\` before the agent crash test`);
  return path;
}

/** Which model turn a Chat Completions request asks for: the tool results it already carries. */
export function turnOf(request: RecordedRequest): number {
  const messages = (request.body as { messages?: Array<{ role?: string }> } | null)?.messages ?? [];
  return messages.filter((m) => m.role === 'tool').length;
}

/**
 * The fake model of the matrix, answering by what it is asked (so a request re-issued after
 * a crash, from another process, gets the same answer): turn 0 reads the replicas, turn 1
 * scales to one more than it read, turn 2 reports the scale result it was given.
 */
export function crashOpsModel(request: RecordedRequest): FakeTurn {
  const messages =
    (request.body as { messages?: Array<{ role?: string; content?: string }> } | null)?.messages ?? [];
  const results = messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '');
  const turn = results.length;
  if (turn === 0)
    return {
      kind: 'reply',
      toolCalls: [{ id: 'call_read', name: 'readReplicas', arguments: '{"deployment":"web"}' }],
    };
  if (turn === 1) {
    const args = JSON.stringify({ deployment: 'web', replicas: replicasIn(results[0]) + 1 });
    return { kind: 'reply', toolCalls: [{ id: 'call_scale', name: 'scale', arguments: args }] };
  }
  if (turn === 2) return { kind: 'reply', text: `Scaled: ${results[1] ?? ''}` };
  return { kind: 'status', status: 400, message: `crash-ops model: no turn ${turn}` };
}

function replicasIn(content: string | undefined): number {
  try {
    const value = JSON.parse(content ?? '') as { replicas?: unknown };
    return typeof value.replicas === 'number' ? value.replicas : 0;
  } catch {
    return 0;
  }
}
