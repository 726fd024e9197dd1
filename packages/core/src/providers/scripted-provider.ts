import type { EventCost } from '../events/envelope';
import { KestrionError, ScriptUnconsumedError } from '../errors';
import type { CompleteOptions, ModelRequest, ModelResponse, Provider } from './provider';

/** A scripted turn: a fixed response, or one computed from the request. */
export type ScriptedTurn = Partial<ModelResponse> | ((request: ModelRequest) => Partial<ModelResponse>);

export class ScriptExhaustedError extends KestrionError {
  constructor(calls: number, model: string) {
    super(
      'script_exhausted',
      `ScriptedProvider: unexpected model call #${calls} (${model}); the script has only ${calls - 1} turn(s)`,
    );
  }
}

/**
 * A Provider that answers from a script, for demos and users' tests: no key, no network.
 * Fails on a call beyond the script; `assertConsumed()` fails when turns were left unused.
 * Every request is recorded in `requests`.
 */
export class ScriptedProvider implements Provider {
  readonly name = 'scripted';
  readonly requests: ModelRequest[] = [];
  private next = 0;

  constructor(
    private readonly turns: ScriptedTurn[],
    private readonly pricePerCallUsd: number | null = null,
  ) {}

  async complete(request: ModelRequest, options: CompleteOptions = {}): Promise<ModelResponse> {
    this.requests.push(structuredClone(request));
    const turn = this.turns[this.next];
    this.next += 1;
    if (turn === undefined) throw new ScriptExhaustedError(this.next, request.model);
    const partial = typeof turn === 'function' ? turn(request) : turn;
    const toolCalls = partial.toolCalls ?? [];
    // Streams like a real provider when asked: the text in word-sized pieces.
    if (options.onTextDelta)
      for (const piece of (partial.text ?? '').split(/(?<= )/))
        if (piece) options.onTextDelta(piece, { attempt: 1 });
    return {
      text: partial.text ?? '',
      toolCalls,
      usage: partial.usage ?? { inputTokens: 10, outputTokens: 5 },
      stopReason: partial.stopReason ?? (toolCalls.length > 0 ? 'tool_use' : 'end'),
      model: partial.model ?? request.model,
    };
  }

  cost(response: ModelResponse): EventCost {
    return {
      usd: this.pricePerCallUsd,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
    };
  }

  get callCount(): number {
    return this.requests.length;
  }

  assertConsumed(): void {
    if (this.next < this.turns.length) throw new ScriptUnconsumedError(this.turns.length - this.next);
  }
}
