import { randomFillSync, randomUUID } from 'node:crypto';
import type { Clock } from './clock';

/** Where ids come from (run ids, event ids, call ids). Injected so tests are repeatable. */
export interface IdGenerator {
  newId(prefix?: string): string;
}

export const randomIds: IdGenerator = {
  newId: (prefix) => (prefix ? `${prefix}_${randomUUID()}` : randomUUID()),
};

const RANDOM_POOL = 4096;

/**
 * UUIDv7 (RFC 9562): 48 bits of milliseconds from `clock`, then a 12-bit counter that orders
 * ids made in the same millisecond, then 62 random bits. Ids made later sort later, so a
 * store's B-trees, which are keyed by run id, put runs started together on the same pages:
 * an insert lands near the last one instead of on a random page, and a commit covering many
 * runs writes fewer pages. The randomness still makes ids unguessable and unique across
 * processes.
 */
export function timeOrderedIds(clock: Clock): IdGenerator {
  const pool = new Uint8Array(RANDOM_POOL);
  let offset = RANDOM_POOL;
  let lastMs = -1;
  let counter = 0;
  /** Two hex digits of the pool's byte at `i`. */
  const hex = (i: number): string => HEX[pool[i] as number] as string;
  const uuid = (): string => {
    let ms = Math.max(Math.floor(clock.now()), lastMs);
    if (ms === lastMs) {
      counter += 1;
      // 4,096 ids in one millisecond: borrow the next millisecond rather than wrap.
      if (counter > 0xfff) {
        ms += 1;
        counter = 0;
      }
    } else counter = 0;
    lastMs = ms;
    if (offset + 8 > RANDOM_POOL) {
      randomFillSync(pool);
      offset = 0;
    }
    const r = offset;
    offset += 8;
    const time = ms.toString(16).padStart(12, '0');
    const a = (0x7000 | counter).toString(16);
    // The variant bits (10) over the first random byte; the rest as read. Digits come from a
    // table rather than a Buffer view and toString('hex'): no allocation but the string.
    const variant = HEX[((pool[r] as number) & 0x3f) | 0x80] as string;
    return `${time.slice(0, 8)}-${time.slice(8)}-${a}-${variant}${hex(r + 1)}-${hex(r + 2)}${hex(r + 3)}${hex(r + 4)}${hex(r + 5)}${hex(r + 6)}${hex(r + 7)}`;
  };
  return { newId: (prefix) => (prefix ? `${prefix}_${uuid()}` : uuid()) };
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Deterministic ids: `prefix_1`, `prefix_2`, ... */
export class SequentialIds implements IdGenerator {
  private n = 0;
  constructor(private readonly namespace = 'id') {}
  newId(prefix?: string): string {
    this.n += 1;
    return `${prefix ?? this.namespace}_${this.n}`;
  }
}
