import { FakeModelServer, type RenderedBody } from './fake-model-server';
import {
  decodedArguments,
  DEFAULT_FAKE_USAGE,
  type FakeReply,
  type RecordedRequest,
  requestedModel,
  stopOf,
  textPieces,
} from './fake-turn';

/**
 * A fake Ollama chat API (`POST /api/chat`): one JSON object, or NDJSON lines (streaming is
 * Ollama's default: only `"stream": false` gets JSON). Tool-call arguments are sent decoded
 * when they are a JSON object and as the raw string otherwise, as small models do. Ollama
 * sends no tool-call ids and no cache counts. Point the adapter's `host` at {@link url}.
 */
export class FakeOllamaServer extends FakeModelServer {
  protected readonly chatPath = '/api/chat';

  protected baseUrlFor(origin: string): string {
    return origin;
  }

  protected wantsStream(body: unknown): boolean {
    return (body as { stream?: unknown } | null)?.stream !== false;
  }

  protected renderError(_status: number, message: string): unknown {
    return { error: message };
  }

  protected render(reply: FakeReply, request: RecordedRequest): RenderedBody {
    const model = reply.model ?? requestedModel(request);
    const streamed = request.streamed;
    const usage = reply.usage ?? DEFAULT_FAKE_USAGE;
    const text = reply.text ?? '';
    const stop = stopOf(reply);
    const toolCalls = (reply.toolCalls ?? []).map((c) => ({
      function: { name: c.name, arguments: decodedArguments(c.arguments) },
    }));
    const createdAt = '2026-01-01T00:00:00Z';
    const final = {
      model,
      created_at: createdAt,
      done: true,
      done_reason: stop === 'max_tokens' ? 'length' : 'stop',
      total_duration: 1_000_000,
      prompt_eval_count: usage.inputTokens,
      eval_count: usage.outputTokens,
    };
    if (!streamed) {
      const message = {
        role: 'assistant',
        content: text,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      };
      return { json: { ...final, message } };
    }
    const lines: unknown[] = textPieces(text).map((piece) => ({
      model,
      created_at: createdAt,
      message: { role: 'assistant', content: piece },
      done: false,
    }));
    if (toolCalls.length > 0)
      lines.push({
        model,
        created_at: createdAt,
        message: { role: 'assistant', content: '', tool_calls: toolCalls },
        done: false,
      });
    lines.push({ ...final, message: { role: 'assistant', content: '' } });
    return { contentType: 'application/x-ndjson', chunks: lines.map((line) => `${JSON.stringify(line)}\n`) };
  }
}
