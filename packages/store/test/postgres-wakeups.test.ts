import { StoreError } from '@kestrion/core';
import { RUNNABLE_CHANNEL, openStore, postgresWakeups } from '@kestrion/store';
import { createTestDatabase, type TestDatabase } from '@kestrion/testing';
import { Client } from 'pg';

/** LISTEN/NOTIFY hints for idle workers: delivered on commit, and the listener survives its connection being killed. */
describe('postgresWakeups', () => {
  let db: TestDatabase;
  let admin: Client;
  beforeAll(async () => {
    db = await createTestDatabase('kestrion_wakeups');
    admin = new Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await db.drop();
  });

  async function until(check: () => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not reached in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it('hints once per notification, only after the notifying transaction commits', async () => {
    let hints = 0;
    const unsubscribe = await postgresWakeups(db.url).subscribe(() => hints++);
    try {
      await admin.query('begin');
      await admin.query(`select pg_notify('${RUNNABLE_CHANNEL}', 'billing')`);
      await new Promise((r) => setTimeout(r, 100));
      expect(hints).toBe(0); // not committed yet
      await admin.query('commit');
      await until(() => hints === 1);
      await admin.query(`select pg_notify('another_channel', 'x')`);
      await admin.query(`select pg_notify('${RUNNABLE_CHANNEL}', 'billing')`);
      await until(() => hints === 2);
      await new Promise((r) => setTimeout(r, 50));
      expect(hints).toBe(2);
    } finally {
      await unsubscribe();
    }
  });

  it('reconnects after pg_terminate_backend, hints once on reconnecting, and hears notifications again', async () => {
    let hints = 0;
    const errors: unknown[] = [];
    const unsubscribe = await postgresWakeups(db.url, { onError: (e) => errors.push(e) }).subscribe(
      () => hints++,
    );
    try {
      const { rows } = await admin.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and query ilike 'LISTEN%'`,
      );
      expect(rows[0]?.n).toBe(1);
      // The reconnect's own hint: anything notified while it was down was lost.
      await until(() => hints === 1);
      expect(errors.length).toBeGreaterThan(0);
      const listening = async () =>
        (
          await admin.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'`,
          )
        ).rows[0]?.n;
      expect(await listening()).toBe(1);
      await admin.query(`select pg_notify('${RUNNABLE_CHANNEL}', 'billing')`);
      await until(() => hints === 2);
    } finally {
      await unsubscribe();
    }
    // Unsubscribed: the listening connection is gone and nothing reconnects.
    const { rows } = await admin.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'`,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('the runs table notifies when a run becomes runnable: submitted, and unparked by a decision, not on every append', async () => {
    const store = await openStore(db.url);
    let hints = 0;
    const unsubscribe = await postgresWakeups(db.url).subscribe(() => hints++);
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    try {
      await store.append('r1', 0, [
        { id: 'e1', type: 'run.started', at: at(1), data: { agent: 'billing', input: null } },
      ]);
      await until(() => hints === 1);
      await store.append('r1', 1, [
        { id: 'e2', type: 'node.entered', at: at(2), data: { node: 'a', visit: 1 } },
        { id: 'e3', type: 'run.waiting', at: at(3), data: { reason: 'input', node: 'a' } },
      ]);
      await new Promise((r) => setTimeout(r, 100));
      expect(hints).toBe(1); // running, then parked: nothing became claimable
      await store.append('r1', 3, [{ id: 'e4', type: 'run.input', at: at(4), data: { message: 'go on' } }]);
      await until(() => hints === 2);
    } finally {
      await unsubscribe();
      await store.close();
    }
  });

  it('notifies from a leased append and from a store in a schema; a refused append notifies nothing', async () => {
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const plain = await openStore(db.url);
    const inSchema = await openStore({ url: db.url, schema: 'wakeups_elsewhere' });
    const payloads: string[] = [];
    const listener = new Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (n) => payloads.push(`${n.channel}:${n.payload ?? ''}`));
    await listener.query(`LISTEN ${RUNNABLE_CHANNEL}`);
    try {
      for (const [store, agent] of [
        [plain, 'leased-agent'],
        [inSchema, 'schema-agent'],
      ] as const) {
        await store.append('p1', 0, [
          { id: 'p1', type: 'run.started', at: at(1), data: { agent, input: null } },
        ]);
        const lease = await store.acquireLease('p1', { owner: 'w1', ttlMs: 60_000, now: Date.now() });
        await store.append(
          'p1',
          1,
          [
            { id: 'p2', type: 'node.entered', at: at(2), data: { node: 'a', visit: 1 } },
            { id: 'p3', type: 'run.waiting', at: at(3), data: { reason: 'input', node: 'a' } },
          ],
          { lease },
        );
        // A stale head: refused, and the input it carried made nothing claimable.
        await expect(
          store.append('p1', 1, [{ id: 'p4', type: 'run.input', at: at(4), data: { message: 'x' } }]),
        ).rejects.toThrow();
        await store.append('p1', 3, [{ id: 'p5', type: 'run.input', at: at(5), data: { message: 'go' } }], {
          lease,
        });
      }
      await until(() => payloads.length >= 4);
      await new Promise((r) => setTimeout(r, 100));
      expect(payloads).toEqual([
        `${RUNNABLE_CHANNEL}:leased-agent`,
        `${RUNNABLE_CHANNEL}:leased-agent`,
        `${RUNNABLE_CHANNEL}:schema-agent`,
        `${RUNNABLE_CHANNEL}:schema-agent`,
      ]);
      // The notification comes from the append statement; the runs table has no trigger left.
      const { rows } = await admin.query<{ n: number }>(
        `select count(*)::int as n from pg_trigger t join pg_class c on c.oid = t.tgrelid
         where c.relname = 'kestrion_runs' and not t.tgisinternal`,
      );
      expect(rows[0]?.n).toBe(0);
    } finally {
      await listener.end();
      await plain.close();
      await inSchema.close();
    }
  });

  it('a server that cannot be reached is a retryable StoreError without the password', async () => {
    const error = await postgresWakeups('postgres://kestrion:hunter2-secret@127.0.0.1:1/nowhere')
      .subscribe(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).retryable).toBe(true);
    expect(String((error as Error).message)).toMatch(/cannot LISTEN for runnable runs/);
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('hunter2-secret');
  });
});
