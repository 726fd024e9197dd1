import type { ModelRequest, ModelResponse, Provider } from '@kestrion/core';
import { inside, scriptedCall } from './stopwatch';

/**
 * A Provider that answers at once, in process: a scripted tool call for each of the first
 * `turns - 1` model calls of a run (counted from the assistant messages it is sent), then a
 * final answer. Its own time is added to `inside`.
 */
export function instantProvider(turns: number): Provider {
  return {
    name: 'bench',
    complete: async (request: ModelRequest): Promise<ModelResponse> =>
      inside.time(() => {
        let turn = 0;
        for (const m of request.messages) if (m.role === 'assistant') turn++;
        const usage = { inputTokens: 10, outputTokens: 5 };
        if (turn >= turns - 1)
          return { text: 'done', toolCalls: [], usage, stopReason: 'end', model: request.model };
        const call = scriptedCall(turn);
        return {
          text: '',
          toolCalls: [{ id: `c${turn}`, name: call.name, arguments: call.args as never }],
          usage,
          stopReason: 'tool_use',
          model: request.model,
        };
      }),
  };
}
