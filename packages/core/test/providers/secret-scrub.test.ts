import { describe, expect, it } from '@jest/globals';
import { KestrionError, ProviderError, REDACTED } from '@kestrion/core';
import { scrubError, scrubSecrets, urlPassword } from '@kestrion/core/provider-kit';
import { toErrorInfo } from '../../src/engine/error-info';

describe('scrubSecrets', () => {
  it.each([
    ['postgres://user:secret@db.internal:5432/app', `postgres://user:${REDACTED}@db.internal:5432/app`],
    ['http://kestrion:p@ss@host:11434/api', `http://kestrion:${REDACTED}@host:11434/api`],
    ['cannot reach http://u:pw@h:1/x: TypeError', `cannot reach http://u:${REDACTED}@h:1/x: TypeError`],
    ['Incorrect API key provided: sk-proj-abc123DEF456ghi789.', `Incorrect API key provided: ${REDACTED}.`],
    ['key sk-ant-api03-Zx8Yw6Vu4Ts2Rq0-AA was refused', `key ${REDACTED} was refused`],
    ['Authorization: Bearer eyJhbGciOi.J9.xyz', `Authorization: Bearer ${REDACTED}`],
    ['authorization: Basic a2VzdHJpb246aHVudGVyMg==', `authorization: Basic ${REDACTED}`],
    ['GET /v1?api_key=abc123&x=1', `GET /v1?api_key=${REDACTED}&x=1`],
    ['{"x-api-key": "abc123def"}', `{"x-api-key": "${REDACTED}"}`],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked', `token ${REDACTED} leaked`],
  ])('%s', (text, scrubbed) => {
    expect(scrubSecrets(text)).toBe(scrubbed);
  });

  it('keeps what is not a credential', () => {
    for (const text of [
      'postgres://postgres@127.0.0.1:5432/postgres',
      'max_tokens: 512, stop: tool_use',
      'run "r1": expected head seq 3 but found 4',
      'the task-list has 3 items',
    ])
      expect(scrubSecrets(text)).toBe(text);
  });

  it('removes known secrets of any shape, raw and URL-encoded', () => {
    expect(scrubSecrets('key corp/gw+7f3a was wrong (corp%2Fgw%2B7f3a)', ['corp/gw+7f3a'])).toBe(
      `key ${REDACTED} was wrong (${REDACTED})`,
    );
  });

  it('finds the password of a URL', () => {
    expect(urlPassword('postgres://user:s%40cret@h/db')).toBe('s@cret');
    expect(urlPassword('postgres://user@h/db')).toBeUndefined();
  });
});

describe('errors carry no secret', () => {
  it('scrubError rewrites message and stack along the cause chain, in place', () => {
    const root = new Error('connect postgres://app:hunter22@db/x failed');
    const error = new Error('open failed', { cause: root });
    expect(scrubError(error, ['hunter22'])).toBe(error);
    expect(root.message).toBe(`connect postgres://app:${REDACTED}@db/x failed`);
    expect(root.stack).not.toContain('hunter22');
  });

  it('a ProviderError scrubs its message and its cause, with the adapter secrets', () => {
    const sdk = new Error('401 Incorrect API key provided: odd-key-123456');
    const error = new ProviderError('openai', sdk.message, {
      cause: sdk,
      status: 401,
      secrets: ['odd-key-123456'],
    });
    expect(error.message).toBe(`openai: 401 Incorrect API key provided: ${REDACTED}`);
    expect(sdk.message).not.toContain('odd-key-123456');
  });

  it('toErrorInfo scrubs whatever was thrown, Kestrion error or not', () => {
    expect(toErrorInfo(new Error('Bearer abcdefgh1234')).message).toBe(`Error: Bearer ${REDACTED}`);
    expect(toErrorInfo(new KestrionError('provider', 'sk-abcdefghijkl')).message).toBe(REDACTED);
    expect(toErrorInfo('redis://:pw1234@cache').message).toBe(`redis://:${REDACTED}@cache`);
  });
});
