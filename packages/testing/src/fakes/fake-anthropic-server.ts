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

const STOP_REASONS = { end: 'end_turn', tool_use: 'tool_use', max_tokens: 'max_tokens' } as const;

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/**
 * A fake Anthropic Messages API (`POST /v1/messages`): JSON answers, and SSE streams with the
 * real event sequence (message_start, content_block_start, ping, content_block_delta with
 * text_delta / input_json_delta, content_block_stop, message_delta, message_stop). Point the
 * SDK's `baseURL` at {@link FakeModelServer.url}.
 */
export class FakeAnthropicServer extends FakeModelServer {
  protected readonly chatPath = '/v1/messages';

  protected baseUrlFor(origin: string): string {
    return origin;
  }

  protected wantsStream(body: unknown): boolean {
    return (body as { stream?: unknown } | null)?.stream === true;
  }

  protected renderError(status: number, message: string): unknown {
    return { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } };
  }

  protected render(reply: FakeReply, request: RecordedRequest): RenderedBody {
    const model = reply.model ?? requestedModel(request);
    const streamed = request.streamed;
    const usage = reply.usage ?? DEFAULT_FAKE_USAGE;
    const wireUsage = {
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cache_creation_input_tokens: usage.cacheWriteTokens ?? null,
      cache_read_input_tokens: usage.cacheReadTokens ?? null,
    };
    const id = `msg_fake_${this.requests.length}`;
    const stopReason = STOP_REASONS[stopOf(reply)];
    const text = reply.text ?? '';
    const toolCalls = reply.toolCalls ?? [];
    if (!streamed) {
      const content = [
        ...(text === '' ? [] : [{ type: 'text', text }]),
        ...toolCalls.map((c) => ({
          type: 'tool_use',
          id: c.id,
          name: c.name,
          input: decodedArguments(c.arguments),
        })),
      ];
      const message = { id, type: 'message', role: 'assistant', model, content, stop_sequence: null };
      return { json: { ...message, stop_reason: stopReason, usage: wireUsage } };
    }
    const events: [string, unknown][] = [];
    const startUsage = { ...wireUsage, output_tokens: 1 };
    events.push([
      'message_start',
      {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: startUsage,
        },
      },
    ]);
    let index = 0;
    if (text !== '') {
      events.push([
        'content_block_start',
        { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      ]);
      events.push(['ping', { type: 'ping' }]);
      for (const piece of textPieces(text))
        events.push([
          'content_block_delta',
          { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } },
        ]);
      events.push(['content_block_stop', { type: 'content_block_stop', index }]);
      index += 1;
    }
    for (const call of toolCalls) {
      events.push([
        'content_block_start',
        {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
        },
      ]);
      for (const piece of textPieces(call.arguments, 7))
        events.push([
          'content_block_delta',
          { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } },
        ]);
      events.push(['content_block_stop', { type: 'content_block_stop', index }]);
      index += 1;
    }
    events.push([
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: usage.outputTokens },
      },
    ]);
    events.push(['message_stop', { type: 'message_stop' }]);
    return {
      contentType: 'text/event-stream',
      chunks: events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    };
  }
}
