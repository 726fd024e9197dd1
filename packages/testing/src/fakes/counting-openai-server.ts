import { FakeOpenAIServer } from './fake-openai-server';
import type { FakeTurn, RecordedRequest } from './fake-turn';
import { maxWindowLoad, type WindowLoad } from '../quota/window-load';

/** Options of a {@link CountingOpenAIServer}. Every field is plain JSON except `clock` and `random`. */
export interface CountingServerOptions {
  /** How long each answer takes, in ms: a number, or `[min, max]` drawn uniformly. Default 0. */
  latencyMs?: number | readonly [number, number];
  /** Output tokens of each answer, at most the request's `max_completion_tokens`. Default 16. */
  completionTokens?: number;
  /**
   * Limits the server enforces itself over its own sliding window: a request that would take
   * the window over one is answered 429 with `Retry-After` (and is not counted).
   */
  limits?: { requestsPerMinute?: number; tokensPerMinute?: number };
  /** The server's window (default 60,000 ms of `clock`). */
  windowMs?: number;
  /** Time in ms (default `Date.now`); a test may compress time (see {@link scaledClock}). */
  clock?: () => number;
  /** For the latency draw (default `Math.random`). */
  random?: () => number;
}

/** One request as the server counted it: when it arrived, its tokens, and whether it was admitted. */
export interface ServerArrival {
  atMs: number;
  promptTokens: number;
  completionTokens: number;
  /** False when the server answered 429 (its own limits). */
  admitted: boolean;
  /** When the answer was sent (after the latency); for a 429, the arrival time. */
  answeredAtMs: number;
}

/** The path a client (another process) GETs the arrivals from, as JSON. */
export const ARRIVALS_PATH = '/fake/arrivals';

/**
 * A time that runs `speed` times faster than the wall clock from `originMs` on: processes
 * given the same origin and speed agree on it, so a 60 s window can pass in 3 s of a test.
 */
export function scaledClock(originMs: number, speed: number): () => number {
  return () => originMs + (Date.now() - originMs) * speed;
}

/**
 * The prompt tokens this server counts for a Chat Completions body: the characters of the
 * messages (text, tool calls' ids, names and arguments, tool call ids) and of the tools
 * (names, descriptions, JSON parameter schemas), divided by 4, rounded up. Deterministic, and
 * never above core's `estimatePromptTokens` of the same request (3 characters a token, plus
 * framing per message and tool).
 */
export function fakePromptTokens(body: unknown): number {
  const b = (body ?? {}) as { messages?: unknown[]; tools?: unknown[] };
  let chars = 0;
  for (const m of b.messages ?? []) {
    const msg = m as { content?: unknown; tool_call_id?: unknown; tool_calls?: unknown[] };
    if (typeof msg.content === 'string') chars += msg.content.length;
    if (typeof msg.tool_call_id === 'string') chars += msg.tool_call_id.length;
    for (const c of msg.tool_calls ?? []) {
      const call = c as { id?: string; function?: { name?: string; arguments?: string } };
      chars += (call.id ?? '').length + (call.function?.name ?? '').length;
      chars += (call.function?.arguments ?? '').length;
    }
  }
  for (const t of b.tools ?? []) {
    const fn = (t as { function?: { name?: string; description?: string; parameters?: unknown } }).function;
    chars += (fn?.name ?? '').length + (fn?.description ?? '').length;
    chars += fn?.parameters === undefined ? 0 : JSON.stringify(fn.parameters).length;
  }
  return Math.ceil(chars / 4);
}

/**
 * An OpenAI Chat Completions fake for quota tests and benchmarks: every request is answered
 * (after `latencyMs`) with usage computed from the request ({@link fakePromptTokens}, and
 * `completionTokens`), optionally under limits the server enforces itself (429 +
 * `Retry-After`). It records each request's arrival time and tokens; `load()` is the most any
 * window held. Another process reads the record with `GET <url>/fake/arrivals` (see
 * {@link fetchArrivals}); `spawnCountingServer` runs one as a process of its own.
 */
export class CountingOpenAIServer extends FakeOpenAIServer {
  readonly arrivals: ServerArrival[] = [];
  private readonly clock: () => number;
  private readonly windowMs: number;

  constructor(private readonly options: CountingServerOptions = {}) {
    super();
    this.clock = options.clock ?? (() => Date.now());
    this.windowMs = options.windowMs ?? 60_000;
    this.respondWith((request) => this.answer(request));
  }

  /** The most requests and tokens the server admitted in any window (default: its own). */
  load(windowMs = this.windowMs): WindowLoad {
    return arrivalsLoad(this.arrivals, windowMs);
  }

  protected override extraRoute(request: RecordedRequest): unknown {
    return request.method === 'GET' && request.path.split('?')[0] === ARRIVALS_PATH
      ? this.arrivals
      : undefined;
  }

  private async answer(request: RecordedRequest): Promise<FakeTurn> {
    const atMs = this.clock();
    const promptTokens = fakePromptTokens(request.body);
    const completionTokens = Math.min(this.options.completionTokens ?? 16, maxTokensOf(request.body));
    const waitMs = this.refusal(atMs, promptTokens + completionTokens);
    const arrival = {
      atMs,
      promptTokens,
      completionTokens,
      admitted: waitMs === undefined,
      answeredAtMs: atMs,
    };
    this.arrivals.push(arrival);
    if (waitMs !== undefined)
      return { kind: 'status', status: 429, retryAfter: (waitMs / 1000).toFixed(3), message: 'rate limited' };
    const latency = this.latency();
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    arrival.answeredAtMs = this.clock();
    return {
      kind: 'reply',
      text: 'ok',
      usage: { inputTokens: promptTokens, outputTokens: completionTokens },
    };
  }

  /** How long until the window could admit `tokens` more, or undefined when it can now. */
  private refusal(now: number, tokens: number): number | undefined {
    const { requestsPerMinute: rpm, tokensPerMinute: tpm } = this.options.limits ?? {};
    if (rpm === undefined && tpm === undefined) return undefined;
    const inWindow = this.arrivals.filter((a) => a.admitted && a.atMs > now - this.windowMs);
    let at = now;
    if (rpm !== undefined && inWindow.length + 1 > rpm)
      at = Math.max(at, (inWindow[inWindow.length - rpm]?.atMs ?? now) + this.windowMs);
    let over =
      inWindow.reduce((sum, a) => sum + a.promptTokens + a.completionTokens, 0) + tokens - (tpm ?? Infinity);
    for (const a of inWindow) {
      if (over <= 0) break;
      over -= a.promptTokens + a.completionTokens;
      if (over <= 0) at = Math.max(at, a.atMs + this.windowMs);
    }
    return at > now ? at - now : undefined;
  }

  private latency(): number {
    const l = this.options.latencyMs ?? 0;
    if (typeof l === 'number') return l;
    return l[0] + (this.options.random ?? Math.random)() * (l[1] - l[0]);
  }
}

function maxTokensOf(body: unknown): number {
  const b = (body ?? {}) as { max_completion_tokens?: unknown; max_tokens?: unknown };
  const max = b.max_completion_tokens ?? b.max_tokens;
  return typeof max === 'number' ? max : Infinity;
}

/** The most requests and tokens admitted in any window of `windowMs`, from a server's arrivals. */
export function arrivalsLoad(arrivals: readonly ServerArrival[], windowMs: number): WindowLoad {
  return maxWindowLoad(
    arrivals
      .filter((a) => a.admitted)
      .map((a) => ({ startMs: a.atMs, endMs: a.atMs, tokens: a.promptTokens + a.completionTokens })),
    windowMs,
  );
}

/** The arrivals a counting server recorded, read over HTTP (`url` is its base URL, ending in /v1). */
export async function fetchArrivals(url: string): Promise<ServerArrival[]> {
  const response = await fetch(new URL(ARRIVALS_PATH, url));
  if (!response.ok) throw new Error(`GET ${ARRIVALS_PATH}: ${response.status}`);
  return (await response.json()) as ServerArrival[];
}
