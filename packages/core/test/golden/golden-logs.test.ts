import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json, RunState, StoredEvent } from '@kestrion/core';
import { foldEvents } from '@kestrion/core/store-kit';
import { canonicalJson } from '@kestrion/core/provider-kit';
import { goldenScenarios } from './golden-scenarios';

const DIR = join(__dirname, '..', 'fixtures', 'golden');

interface GoldenFile {
  recordedWith: string;
  events: StoredEvent[];
  /** sha256 of the canonical state after each event: a divergence names its first event. */
  stateHashes: string[];
  finalState: RunState;
}

const hash = (s: RunState | undefined) =>
  createHash('sha256')
    .update(canonicalJson(s as unknown as Json))
    .digest('hex')
    .slice(0, 16);

function stateTrail(events: StoredEvent[]): { hashes: string[]; final: RunState } {
  const hashes: string[] = [];
  let state: RunState | undefined;
  for (const e of events) {
    state = foldEvents(state, [e]);
    hashes.push(hash(state));
  }
  return { hashes, final: state as RunState };
}

if (process.env.UPDATE_GOLDEN === '1') {
  it('regenerates the golden logs (UPDATE_GOLDEN=1)', async () => {
    for (const s of goldenScenarios) {
      const events = await s.play();
      const { hashes, final } = stateTrail(events);
      const file: GoldenFile = { recordedWith: '0.1.0', events, stateHashes: hashes, finalState: final };
      writeFileSync(join(DIR, `${s.name}.json`), JSON.stringify(file, null, 1) + '\n');
    }
  });
}

// Logs recorded before node.entered v2 (a transition was `state.patched` + `node.entered`):
// they must fold to the state they were committed with forever.
const V1_DIR = join(DIR, 'v1');
const fixtures = [
  ...goldenScenarios.map((s) => ({ label: s.name, path: join(DIR, `${s.name}.json`) })),
  ...readdirSync(V1_DIR).map((f) => ({ label: `v1/${f}`, path: join(V1_DIR, f) })),
];

describe('golden event logs', () => {
  it('keeps the logs of earlier protocol versions', () => {
    expect(readdirSync(V1_DIR).length).toBeGreaterThanOrEqual(goldenScenarios.length);
  });

  it.each(fixtures.map((f) => [f.label, f.path]))(
    '%s folds to its committed state with the current code',
    (name, path) => {
      expect(existsSync(path)).toBe(true);
      const golden = JSON.parse(readFileSync(path, 'utf8')) as GoldenFile;
      const { hashes, final } = stateTrail(golden.events);
      const firstBad = hashes.findIndex((h, i) => h !== golden.stateHashes[i]);
      if (firstBad >= 0) {
        const e = golden.events[firstBad] as StoredEvent;
        throw new Error(
          `${name}: the fold diverges at seq ${e.seq} (${e.type}); fold or upcasters changed the meaning of recorded events`,
        );
      }
      expect(final).toEqual(golden.finalState);
    },
  );

  it('replays the scenarios to the same event types as recorded (engine decisions did not drift)', async () => {
    for (const s of goldenScenarios) {
      const golden = JSON.parse(readFileSync(join(DIR, `${s.name}.json`), 'utf8')) as GoldenFile;
      expect((await s.play()).map((e) => e.type)).toEqual(golden.events.map((e) => e.type));
    }
  });
});
