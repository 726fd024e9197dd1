import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import {
  Agent,
  RunContext,
  RunState,
  Runner,
  Usage,
  setTracingDisabled,
  tool,
  type AgentInputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  type StreamEvent,
} from '@openai/agents';
import { z } from 'zod';
import { inside, scriptedCall } from './stopwatch';

/** A `Model` that answers at once, in process, like the Kestrion bench provider. */
class InstantModel implements Model {
  constructor(private readonly turns: number) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    return inside.time(() => {
      let turn = 0;
      if (Array.isArray(request.input))
        for (const item of request.input as AgentInputItem[]) if (item.type === 'function_call') turn++;
      const usage = new Usage({ requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15 });
      if (turn >= this.turns - 1)
        return {
          usage,
          output: [
            {
              type: 'message',
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text: 'done' }],
            },
          ],
        };
      const call = scriptedCall(turn);
      return {
        usage,
        output: [
          {
            type: 'function_call',
            callId: `c${turn}`,
            name: call.name,
            arguments: JSON.stringify(call.args),
            status: 'completed',
          },
        ],
      };
    });
  }

  getStreamedResponse(): AsyncIterable<StreamEvent> {
    throw new Error('the agent bench does not stream');
  }
}

/** The same two tools as `BenchAgent`, declared with zod 4 schemas. */
const tools = [
  tool({
    name: 'lookup',
    description: 'Look a key up.',
    parameters: z.object({ key: z.string().describe('The key.') }),
    execute: async ({ key }) => inside.time(() => `value of ${key}`),
  }),
  tool({
    name: 'add',
    description: 'Add two numbers.',
    parameters: z.object({
      a: z.number().describe('The first number.'),
      b: z.number().describe('The second number.'),
    }),
    execute: async ({ a, b }) => inside.time(() => a + b),
  }),
];

/** Overwrites `path` with `text` and fsyncs it before returning. */
export function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The same loop on `@openai/agents`: one `Runner.run` per run, tracing off (`setTracingDisabled`). With a
 * `checkpointPath`, the run state is serialized (`RunState.toString()`) and written with
 * fsync after every tool call (the runner's `agent_tool_end` hook) and once more when the run
 * returns. The hook sees no `RunState`, so the run is started from a `RunState` built here:
 * the runner then advances that very object, and the hook serializes it.
 */
export function openaiAgentsLoop(turns: number, checkpointPath?: string): (input: string) => Promise<void> {
  const agent = new Agent({
    name: 'bench',
    instructions: 'Answer with the help of the tools.',
    model: new InstantModel(turns),
    tools,
  });
  // Tracing off everywhere, not only in this runner's config: Kestrion's loop traces nothing
  // beyond its events, and the default exporter would try to ship spans to the OpenAI API.
  setTracingDisabled(true);
  const runner = new Runner({ tracingDisabled: true });
  let current: RunState<undefined, typeof agent> | undefined;
  if (checkpointPath !== undefined)
    runner.on('agent_tool_end', () => {
      if (current) writeDurably(checkpointPath, current.toString());
    });
  return async (input) => {
    const state = new RunState<undefined, typeof agent>(new RunContext(undefined), input, agent, turns + 5);
    current = state;
    const result = await runner.run(agent, state);
    current = undefined;
    if (checkpointPath !== undefined) writeDurably(checkpointPath, result.state.toString());
    if (result.finalOutput !== 'done')
      throw new Error(`@openai/agents run ended with ${String(result.finalOutput)}`);
  };
}
