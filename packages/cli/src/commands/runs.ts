import type { RunStatus } from '@kestrion/core';
import { UsageError } from '@kestrion/core';
import type { Command } from 'commander';
import { type CliState, action, common } from '../command-context';
import { EXIT } from '../exit-codes';
import { collect, parseInteger, parseMetadata } from '../parse-options';

const STATUSES: RunStatus[] = [
  'pending',
  'running',
  'waiting_on_human',
  'completed',
  'failed',
  'cancelled',
  'expired',
];

interface RunsOptions {
  status?: string[];
  agent?: string;
  waitingApprovals?: boolean;
  limit?: string;
  cursor?: string;
  meta?: string[];
}

/** `kestrion runs`: lists runs from the store's runs table, newest activity first, one page at a time. */
export function registerRunsCommand(program: Command, state: CliState): void {
  common(
    program
      .command('runs')
      .description('list runs (one page; --cursor for the next)')
      .option('--status <status>', `only this status, repeatable (${STATUSES.join(', ')})`, collect)
      .option('--agent <name>', 'only runs of this agent (its name, not a module)')
      .option('--waiting-approvals', 'only runs with an approval pending')
      .option('--meta <key=value>', 'only runs labelled with all of these (repeatable)', collect)
      .option('--limit <n>', 'runs per page (default 50)')
      .option('--cursor <cursor>', "the next page, from the previous page's nextCursor"),
    ['kestrion runs --waiting-approvals', 'kestrion runs --status failed --agent ops --limit 20 --json'],
  ).action(
    action(state, async (ctx, opts: RunsOptions) => {
      for (const s of opts.status ?? [])
        if (!STATUSES.includes(s as RunStatus))
          throw new UsageError(
            `--status ${JSON.stringify(s)} is not a run status; use one of ${STATUSES.join(', ')}`,
          );
      const metadata = parseMetadata(opts.meta);
      const store = await ctx.openStore();
      const page = await store.listRuns({
        ...(opts.status && opts.status.length > 0 ? { status: opts.status as RunStatus[] } : {}),
        ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
        ...(opts.waitingApprovals ? { waitingApprovals: true } : {}),
        ...(metadata ? { metadata } : {}),
        limit: opts.limit === undefined ? 50 : parseInteger(opts.limit, '--limit', 1),
        ...(opts.cursor !== undefined ? { cursor: opts.cursor } : {}),
      });
      ctx.out.result(page, () => {
        if (page.runs.length === 0) return ['no runs match'];
        const rows = page.runs.map((r) => [
          r.runId,
          r.agent,
          r.status + (r.waitingReason ? ` (${r.waitingReason})` : ''),
          r.pendingApprovals > 0 ? String(r.pendingApprovals) : '',
          String(r.headSeq),
          r.updatedAt,
        ]);
        const header = ['RUN', 'AGENT', 'STATUS', 'APPROVALS', 'EVENTS', 'UPDATED'];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
        const line = (cells: string[]) =>
          cells
            .map((c, i) => c.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd();
        return [
          ctx.out.style('bold', line(header)),
          ...rows.map(line),
          ...(page.nextCursor
            ? ['', ctx.out.style('dim', `more: kestrion runs --cursor ${page.nextCursor}`)]
            : []),
        ];
      });
      return EXIT.ok;
    }),
  );
}
