import { readFileSync } from 'node:fs';

/** The machine's CPU counters (all processes, all cores), from /proc/stat; undefined off Linux. */
export interface CpuTicks {
  busy: number;
  total: number;
}

export function cpuTicks(): CpuTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...fields] = line.trim().split(/\s+/);
    const n = fields.map(Number);
    const total = n.reduce((a, b) => a + b, 0);
    // idle and iowait are the 4th and 5th fields.
    return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** The share of the machine's CPU time that was busy between two readings (NaN when unknown). */
export function busyShare(from: CpuTicks | undefined, to: CpuTicks | undefined): number {
  if (!from || !to || to.total === from.total) return NaN;
  return (to.busy - from.busy) / (to.total - from.total);
}
