import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });

describe('one way to park, fail, complete or cancel a run', () => {
  it('only engine/run-ending.ts builds run.waiting, run.failed, run.completed and run.cancelled', () => {
    const builders = files(SRC)
      .filter((p) => /type:\s*'run\.(waiting|failed|completed|cancelled)'/.test(readFileSync(p, 'utf8')))
      .map((p) => relative(SRC, p));
    expect(builders).toEqual([join('engine', 'run-ending.ts')]);
  });
});
