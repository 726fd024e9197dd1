import { ConfigurationError } from '../errors';
import type { RunRecord } from './store';

/** Runs list newest first; the cursor is the (createdAt, runId) of the last row served. */
export interface RunCursor {
  createdAt: string;
  runId: string;
}

export function encodeRunCursor(r: RunRecord): string {
  return Buffer.from(JSON.stringify([r.createdAt, r.runId])).toString('base64url');
}

export function decodeRunCursor(cursor: string): RunCursor {
  try {
    const [createdAt, runId] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    if (typeof createdAt === 'string' && typeof runId === 'string') return { createdAt, runId };
  } catch {
    // fall through to the error below
  }
  throw new ConfigurationError(
    `invalid runs cursor ${JSON.stringify(cursor)}: pass the nextCursor of a previous page unchanged`,
  );
}

/** True when `r` sorts after the cursor in (createdAt DESC, runId DESC) order. */
export function isAfterCursor(r: RunRecord, c: RunCursor): boolean {
  return r.createdAt < c.createdAt || (r.createdAt === c.createdAt && r.runId < c.runId);
}
