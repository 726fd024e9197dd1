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
  const pool = Buffer.alloc(RANDOM_POOL);
  let offset = RANDOM_POOL;
  let lastMs = -1;
  let counter = 0;
  const random8 = (): Buffer => {
    if (offset + 8 > RANDOM_POOL) {
      randomFillSync(pool);
      offset = 0;
    }
    offset += 8;
    return pool.subarray(offset - 8, offset);
  };
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
    const r = random8();
    const time = ms.toString(16).padStart(12, '0');
    const a = (0x7000 | counter).toString(16);
    const b = ((((r[0] as number) & 0x3f) | 0x80) << 8) | (r[1] as number);
    const tail = r.subarray(2, 8).toString('hex');
    return `${time.slice(0, 8)}-${time.slice(8)}-${a}-${b.toString(16)}-${tail}`;
  };
  return { newId: (prefix) => (prefix ? `${prefix}_${uuid()}` : uuid()) };
}

/** Deterministic ids: `prefix_1`, `prefix_2`, ... */
export class SequentialIds implements IdGenerator {
  private n = 0;
  constructor(private readonly namespace = 'id') {}
  newId(prefix?: string): string {
    this.n += 1;
    return `${prefix ?? this.namespace}_${this.n}`;
  }
}
