import { randomUUID } from 'node:crypto';

/** Where ids come from (run ids, event ids, call ids). Injected so tests are repeatable. */
export interface IdGenerator {
  newId(prefix?: string): string;
}

export const randomIds: IdGenerator = {
  newId: (prefix) => (prefix ? `${prefix}_${randomUUID()}` : randomUUID()),
};

/** Deterministic ids: `prefix_1`, `prefix_2`, ... */
export class SequentialIds implements IdGenerator {
  private n = 0;
  constructor(private readonly namespace = 'id') {}
  newId(prefix?: string): string {
    this.n += 1;
    return `${prefix ?? this.namespace}_${this.n}`;
  }
}
