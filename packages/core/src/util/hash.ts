import { createHash } from 'node:crypto';
import { canonicalJson, type Json } from './json';

/** sha256 of the canonical JSON of a value, hex. */
export function jsonHash(value: Json): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
