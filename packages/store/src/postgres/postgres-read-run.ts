import type { RunRecord } from '@kestrion/core';
import type { Kysely } from 'kysely';
import { toRunRecord } from '../row-mapping';
import type { KestrionDatabase } from '../schema';

/** The run's projection row, or undefined when there is no such run. */
export async function readRunRecord(
  db: Kysely<KestrionDatabase>,
  runId: string,
): Promise<RunRecord | undefined> {
  const row = await db.selectFrom('kestrion_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row && toRunRecord(row);
}
