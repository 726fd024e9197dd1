import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@kestrion/core';

/** Who is calling, as a token (or the stdio server's configuration) says: `by` in every decision. */
export interface McpIdentity {
  /** Recorded as `by` when this caller approves or rejects (at most 256 characters). */
  identity: string;
  /** The roles this caller may approve as (each at most 128 characters). */
  roles: string[];
}

/** Bearer tokens and whom each stands for: `{ "<token>": { "identity": "alice", "roles": ["sre"] } }`. */
export type McpTokens = Record<string, McpIdentity>;

/** Shortest token accepted: a guessable token would be the power to approve. */
export const MIN_TOKEN_LENGTH = 16;

/** Checks a token table, every problem at once, as a ConfigurationError saying what to fix. */
export function checkTokens(tokens: unknown, origin = 'tokens'): McpTokens {
  const problems: string[] = [];
  if (tokens === null || typeof tokens !== 'object' || Array.isArray(tokens))
    throw new ConfigurationError(`${origin}: expected an object of token -> { identity, roles }`);
  const entries = Object.entries(tokens as Record<string, unknown>);
  if (entries.length === 0) problems.push('no tokens: nobody could call the server');
  for (const [i, [token, who]] of entries.entries()) {
    const at = `token #${i + 1}`;
    if (token.length < MIN_TOKEN_LENGTH)
      problems.push(`${at} is shorter than ${MIN_TOKEN_LENGTH} characters`);
    const w = who as Partial<McpIdentity> | null;
    if (typeof w?.identity !== 'string' || w.identity.trim() === '' || w.identity.length > 256)
      problems.push(`${at}: identity must be a non-blank string of at most 256 characters`);
    if (
      !Array.isArray(w?.roles) ||
      !w.roles.every((r) => typeof r === 'string' && r.trim() !== '' && r.length <= 128)
    )
      problems.push(
        `${at}: roles must be a list of non-blank strings of at most 128 characters ([] for none)`,
      );
  }
  if (problems.length > 0) throw new ConfigurationError(`${origin}: ${problems.join('; ')}`);
  return tokens as McpTokens;
}

/** Reads and checks a JSON token file (see `McpTokens`). */
export function loadTokensFile(path: string): McpTokens {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigurationError(`cannot read the token file ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    return checkTokens(JSON.parse(text), path);
  } catch (cause) {
    if (cause instanceof ConfigurationError) throw cause;
    throw new ConfigurationError(`${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Finds the identity a presented token stands for, comparing digests in constant time with
 * every known token (how long it takes says nothing about which token came close).
 */
export function tokenVerifier(tokens: McpTokens): (presented: string) => McpIdentity | undefined {
  const known = Object.entries(checkTokens(tokens)).map(([token, who]) => ({ digest: digest(token), who }));
  return (presented) => {
    const d = digest(presented);
    let found: McpIdentity | undefined;
    for (const k of known) if (timingSafeEqual(k.digest, d)) found = k.who;
    return found;
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
