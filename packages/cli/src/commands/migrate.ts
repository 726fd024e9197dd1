import { migrateStore } from '@kestrion/store';
import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';

interface MigrateOptions {
  schema?: string;
}

/** `kestrion migrate`: brings the store's schema up to date (safe from several processes at once). */
export function registerMigrateCommand(program: Command, state: CliState): void {
  common(
    program
      .command('migrate')
      .description(
        "create or update the store's tables (for deployments that open their store with migrate: false)",
      )
      .option('--schema <name>', 'PostgreSQL schema the tables live in (created if missing)'),
    [
      'kestrion migrate --store postgres://kestrion@db:5432/kestrion',
      'kestrion migrate --store postgres://… --schema kestrion',
    ],
  ).action(
    action(state, async (ctx, opts: MigrateOptions) => {
      const started = Date.now();
      ctx.out.progress(`migrating ${ctx.store.url}${opts.schema ? ` (schema ${opts.schema})` : ''}…`);
      const report = await migrateStore(
        ctx.store.url,
        opts.schema !== undefined ? { schema: opts.schema } : {},
      );
      for (const m of report.applied) ctx.out.progress(`  applied ${m}`);
      const ms = Date.now() - started;
      ctx.out.result({ ...report, store: ctx.store.url, durationMs: ms }, () => [
        report.applied.length === 0
          ? `up to date at ${report.to}`
          : `migrated from ${report.from ?? 'an empty database'} to ${report.to} (${report.applied.length} migration${report.applied.length === 1 ? '' : 's'}, ${ms} ms)`,
      ]);
      return EXIT.ok;
    }),
  );
}
