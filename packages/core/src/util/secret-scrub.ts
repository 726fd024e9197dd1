/** What a scrubbed secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not replaced literally (a one-letter "password" would shred the text). */
const MIN_KNOWN_SECRET_LENGTH = 4;

/**
 * Credential shapes that never belong in a log or an error message, each with its replacement.
 * Built in, so scrubbing works with or without a user redactor.
 */
const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // The password of a URL's userinfo (`scheme://user:password@host`); the user name stays, the
  // password may itself contain `@` (the authority ends at the last one).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#:@]*):[^\s/?#]*@/gi, `$1:${REDACTED}@`],
  // Authorization header values: `Bearer <token>`, `Basic <base64>`.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, `$1 ${REDACTED}`],
  // Anthropic (`sk-ant-...`) and OpenAI (`sk-...`, `sk-proj-...`) API keys.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, REDACTED],
  // Other common API-key and token shapes: GitHub, Slack, Google, AWS access key ids, Hugging Face, GitLab, xAI, Groq.
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, REDACTED],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\b(?:hf_|glpat-|xai-|gsk_)[A-Za-z0-9_-]{16,}/g, REDACTED],
  // `api_key=...`, `"x-api-key": "..."`, `password: ...`, `token=...` in query strings, headers and JSON.
  [
    /\b((?:x-)?api[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token|client[_-]?secret|password|passwd|secret|token)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
    `$1$2${REDACTED}`,
  ],
];

/**
 * The text with credentials replaced by `[REDACTED]`: the password of any URL
 * (`postgres://user:secret@host` becomes `postgres://user:[REDACTED]@host`), `Bearer`/`Basic`
 * authorization values, API keys of the common shapes (`sk-...`, `sk-ant-...`, `ghp_...`,
 * `AIza...`, `AKIA...`, ...), `api_key=`/`password=`/`token=` values, and every literal
 * occurrence of the `known` secrets (an API key or password the caller holds, whatever its shape).
 */
export function scrubSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of known)
    if (secret !== undefined && secret.length >= MIN_KNOWN_SECRET_LENGTH) {
      out = out.split(secret).join(REDACTED);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.split(encoded).join(REDACTED);
    }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Scrubs an error in place: its `message` and `stack`, and those of its `cause` chain (and of
 * an `AggregateError`'s errors), so a secret that reached a driver's or SDK's error is not
 * kept in the error Kestrion throws or wraps. Returns the same error.
 */
export function scrubError<T>(error: T, known: readonly (string | undefined)[] = []): T {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.size < 16) {
    const node = pending.pop();
    if (!(node instanceof Error) || seen.has(node)) continue;
    seen.add(node);
    rewrite(node, 'message', known);
    rewrite(node, 'stack', known);
    pending.push(node.cause);
    if (node instanceof AggregateError) pending.push(...(node.errors as unknown[]));
  }
  return error;
}

function rewrite(error: Error, key: 'message' | 'stack', known: readonly (string | undefined)[]): void {
  const value = error[key];
  if (typeof value !== 'string') return;
  const scrubbed = scrubSecrets(value, known);
  if (scrubbed === value) return;
  try {
    Object.defineProperty(error, key, {
      value: scrubbed,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  } catch {
    // A frozen error keeps its text; the message Kestrion builds from it is scrubbed anyway.
  }
}

/** The URL with the password of its userinfo replaced (for messages that name a URL). */
export function scrubUrl(url: string): string {
  return scrubSecrets(url);
}

/** The password of a URL's userinfo (decoded), if it has one: a known secret to scrub literally. */
export function urlPassword(url: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#:@]*:([^\s/?#]*)@/i.exec(url);
  if (match === null || match[1] === undefined || match[1] === '') return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}
