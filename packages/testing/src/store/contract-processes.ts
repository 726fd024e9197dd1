import { type ChildProcess, spawn } from 'node:child_process';
import { childScript } from '../children/child-script';
import { LeaseLostError } from '@kestrion/core';
import { type ContractContext, entered, readAll, started } from './contract-context';

function spawnChild(args: string[]): {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [childScript('store-child'), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // 'close' (stdout read to its end), not 'exit', which can come first.
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  void exited.then((code) => {
    if (code !== 0 && code !== null) process.stderr.write(`store-child ${args[0]} exited ${code}: ${err}\n`);
  });
  return { child, out: () => out, exited };
}

async function waitFor(cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for child process output');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Real processes against the same database: only for stores reachable by URL. */
export function processContract(ctx: ContractContext): void {
  describe('several processes', () => {
    it('lets exactly one of 4 racing processes win each seq', async () => {
      const s = ctx.store();
      const id = ctx.newRunId('race');
      await s.append(id, 0, [started('race')]);
      const target = 61;
      const kids = ['w0', 'w1', 'w2', 'w3'].map((w) =>
        spawnChild(['race', ctx.factory.url(), id, w, String(target)]),
      );
      await new Promise((r) => setTimeout(r, 600)); // let every child open the store
      for (const k of kids) k.child.stdin!.write('go\n');
      const codes = await Promise.all(kids.map((k) => k.exited));
      expect(codes).toEqual([0, 0, 0, 0]);
      const reports = kids.map(
        (k) => JSON.parse(k.out()) as { writer: string; wins: number[]; losses: number },
      );
      const allWins = reports.flatMap((r) => r.wins);
      expect(allWins.sort((a, b) => a - b)).toEqual(Array.from({ length: target - 1 }, (_, i) => i + 2));
      const log = await readAll(s, id);
      expect(log.map((e) => e.seq)).toEqual(Array.from({ length: target }, (_, i) => i + 1));
      for (const r of reports) for (const seq of r.wins) expect(log[seq - 1]?.id).toBe(`${r.writer}-${seq}`);
    });

    it('keeps every batch all-or-nothing when the appending process is SIGKILLed', async () => {
      const s = ctx.store();
      const id = ctx.newRunId('torn');
      await s.append(id, 0, [started('torn')]);
      const size = 400;
      for (let kill = 0; kill < 4; kill++) {
        const k = spawnChild(['batches', ctx.factory.url(), id, String(size)]);
        await waitFor(() => (k.out().match(/committed/g) ?? []).length >= 2);
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
        k.child.kill('SIGKILL');
        await k.exited;
      }
      const log = await readAll(s, id);
      expect(log.map((e) => e.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
      const perBatch = new Map<string, number>();
      for (const e of log.slice(1)) {
        const node = (e.data as { node: string }).node;
        perBatch.set(node, (perBatch.get(node) ?? 0) + 1);
      }
      expect(perBatch.size).toBeGreaterThanOrEqual(8);
      for (const [batch, count] of perBatch) expect([batch, count]).toEqual([batch, size]);
      expect((await s.getRun(id))?.headSeq).toBe(log.length);
    });
  });

  describe('several connections', () => {
    // Each store handle keeps what it wrote last; a write made through another connection
    // must still be seen before this handle decides on a lease or a head.
    it('fences an append whose lease another connection took over', async () => {
      const s = ctx.store();
      const other = await ctx.factory.open();
      try {
        const id = ctx.newRunId('elsewhere');
        await s.append(id, 0, [started('fence-elsewhere')]);
        const first = await s.acquireLease(id, { owner: 'first', ttlMs: 100, now: 0 });
        await s.append(id, 1, [entered('a', 1)], { lease: first });
        const taken = await other.acquireLease(id, { owner: 'second', ttlMs: 1000, now: 500 });
        expect(taken.epoch).toBeGreaterThan(first.epoch);
        await expect(s.append(id, 2, [entered('b', 2)], { lease: first })).rejects.toBeInstanceOf(
          LeaseLostError,
        );
        await other.append(id, 2, [entered('c', 2)], { lease: taken });
        expect((await readAll(s, id)).map((e) => (e.data as { node?: string }).node)).toEqual([
          undefined,
          'a',
          'c',
        ]);
      } finally {
        await other.close();
      }
    });
  });
}
