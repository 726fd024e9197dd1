import { FakeModelServer, type RenderedBody } from './fake-model-server';
import {
  DEFAULT_FAKE_USAGE,
  type FakeReply,
  type RecordedRequest,
  requestedModel,
  stopOf,
  textPieces,
} from './fake-turn';

const FINISH_REASONS = { end: 'stop', tool_use: 'tool_calls', max_tokens: 'length' } as const;

/**
 * A fake OpenAI Chat Completions API (`POST /v1/chat/completions`): JSON answers, and SSE
 * `data:` chunks with content and `tool_calls` deltas, a finish chunk, the usage chunk when
 * `stream_options.include_usage` is set, and `data: [DONE]`. Point the SDK's `baseURL` at
 * {@link FakeModelServer.url} (it ends in `/v1`).
 */
export class FakeOpenAIServer extends FakeModelServer {
  protected readonly chatPath = '/v1/chat/completions';

  protected baseUrlFor(origin: string): string {
    return `${origin}/v1`;
  }

  protected wantsStream(body: unknown): boolean {
    return (body as { stream?: unknown } | null)?.stream === true;
  }

  protected renderError(status: number, message: string): unknown {
    const type =
      status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
    return { error: { message, type, param: null, code: null } };
  }

  protected render(reply: FakeReply, request: RecordedRequest): RenderedBody {
    const model = reply.model ?? requestedModel(request);
    const streamed = request.streamed;
    const u = reply.usage ?? DEFAULT_FAKE_USAGE;
    const prompt = u.inputTokens + (u.cacheReadTokens ?? 0);
    const usage = {
      prompt_tokens: prompt,
      completion_tokens: u.outputTokens,
      total_tokens: prompt + u.outputTokens,
      prompt_tokens_details: { cached_tokens: u.cacheReadTokens ?? 0 },
    };
    const id = `chatcmpl-fake-${this.requests.length}`;
    const finish = FINISH_REASONS[stopOf(reply)];
    const text = reply.text ?? '';
    const toolCalls = reply.toolCalls ?? [];
    const head = { id, created: 1_767_225_600, model };
    if (!streamed) {
      const message = {
        role: 'assistant',
        content: text === '' ? null : text,
        refusal: null,
        ...(toolCalls.length === 0
          ? {}
          : {
              tool_calls: toolCalls.map((c) => ({
                id: c.id,
                type: 'function',
                function: { name: c.name, arguments: c.arguments },
              })),
            }),
      };
      return {
        json: {
          ...head,
          object: 'chat.completion',
          choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
          usage,
        },
      };
    }
    const chunk = (delta: unknown, finishReason: string | null = null): unknown => ({
      ...head,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    });
    const chunks: unknown[] = [chunk({ role: 'assistant', content: '', refusal: null })];
    for (const piece of textPieces(text)) chunks.push(chunk({ content: piece }));
    toolCalls.forEach((call, index) => {
      chunks.push(
        chunk({
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
          ],
        }),
      );
      for (const piece of textPieces(call.arguments, 7))
        chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
    chunks.push(chunk({}, finish));
    return {
      contentType: 'text/event-stream',
      chunks: [
        ...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`),
        // Sent only when the request asked for it; an adapter that forgets gets no usage.
        ...(includeUsage(request)
          ? [`data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [], usage })}\n\n`]
          : []),
        'data: [DONE]\n\n',
      ],
    };
  }
}

function includeUsage(request: RecordedRequest): boolean {
  const body = request.body as { stream_options?: { include_usage?: unknown } } | null;
  return body?.stream_options?.include_usage === true;
}
