import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress, writeReport } from '../bench-util';
import { type ActiveResult, runActive } from './scale-active';
import { activeBars, quotaBars, scalingBars, wakeupBars } from './scale-bars';
import { type Phase, type ScalePlan, scalePlan } from './scale-plan';
import { scaleReport } from './scale-report';
import { type TrialResult, runTrial } from './scale-trial';
import { type WakeupResult, runWakeup } from './scale-wakeup';

/** How long a phase took and how loaded the machine was (1-minute load average) around it. */
export interface PhaseLog {
  phase: Phase;
  ms: number;
  loadBefore: number;
  loadAfter: number;
}

export interface ScaleResults {
  plan: ScalePlan;
  quota: TrialResult[];
  scaling: TrialResult[];
  active?: ActiveResult;
  wakeup?: WakeupResult;
  phases: PhaseLog[];
  startedAt: string;
  totalMs: number;
}

async function trials(list: ScalePlan['quota']): Promise<TrialResult[]> {
  const out: TrialResult[] = [];
  for (const o of list) {
    progress(`${o.name}${o.limits ? '' : ' (no quota)'}: ${o.runs} runs`);
    const r = await runTrial(o);
    progress(`${o.name}: ${r.runs.completed} completed in ${(r.elapsedMs / 1000).toFixed(1)} s`);
    out.push(r);
  }
  return out;
}

/**
 * `npm run bench -- scale`: durable runs at scale through worker processes, a separate approver
 * process and the real OpenAI SDK against a counting fake server, under a shared quota.
 */
export async function runScaleBench(): Promise<string> {
  const saved = process.env.KESTRION_SCALE_RENDER;
  if (saved) return render(JSON.parse(readFileSync(saved, 'utf8')) as ScaleResults);
  const plan = scalePlan();
  const t0 = Date.now();
  const results: ScaleResults = {
    plan,
    quota: [],
    scaling: [],
    phases: [],
    startedAt: new Date().toISOString(),
    totalMs: 0,
  };
  const phase = async (p: Phase, body: () => Promise<void>): Promise<void> => {
    if (!plan.phases.includes(p)) return;
    const loadBefore = loadavg()[0] as number;
    const s = Date.now();
    progress(`phase ${p}`);
    await body();
    results.phases.push({ phase: p, ms: Date.now() - s, loadBefore, loadAfter: loadavg()[0] as number });
  };
  await phase('wakeup', async () => {
    results.wakeup = await runWakeup(plan.wakeup);
  });
  await phase('quota', async () => {
    results.quota = await trials(plan.quota);
  });
  await phase('scaling', async () => {
    results.scaling = await trials(plan.scaling);
  });
  await phase('active', async () => {
    results.active = await runActive(plan.active);
  });
  results.totalMs = Date.now() - t0;
  writeFileSync(SAVED_RESULTS, JSON.stringify(results));
  progress(`results saved to ${SAVED_RESULTS} (KESTRION_SCALE_RENDER=<that path> writes the report again)`);
  return render(results);
}

/** Where the last run's figures are kept, to write the report again without running. */
const SAVED_RESULTS = join(tmpdir(), 'kestrion-scale-results.json');

function render(results: ScaleResults): string {
  const bars = [
    ...quotaBars(results.quota),
    ...scalingBars(results.scaling),
    ...activeBars(results.active),
    ...wakeupBars(results.wakeup),
  ];
  return writeReport('scale', scaleReport(results, bars));
}
