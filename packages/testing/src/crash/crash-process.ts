import { type ChildProcess, spawn } from 'node:child_process';
import { childScript } from '../children/child-script';
import type { CrashChildConfig, CrashChildReport } from './crash-protocol';

/** A running crash child: its output so far, and how it ended. */
export interface CrashProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when it exits: the signal that killed it, or null after a normal exit. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once a line of stdout satisfies `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** The report it printed last (throws when it printed none). */
  report(): CrashChildReport;
}

export function spawnCrashChild(cfg: CrashChildConfig): CrashProcess {
  const child = spawn(process.execPath, [childScript('crash-child'), JSON.stringify(cfg)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': 'exit' can come before the last of stdout has been read, and the
  // report is the last line (seen as "printed no report" from a child that exited 0).
  let closed = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('close', (code, signal) => {
      closed = true;
      res({ code, signal });
      for (const w of waiters.splice(0)) w();
    }),
  );
  const lines = () => out.split('\n').filter((l) => l.length > 0);
  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForLine(test, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines().find(test);
        if (hit !== undefined) return hit;
        if (closed)
          throw new Error(`crash-child ${cfg.mode} exited before the expected line; stderr: ${err}`);
        if (Date.now() > deadline) throw new Error(`crash-child ${cfg.mode}: timed out; stdout: ${out}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
    report() {
      const last = lines()
        .filter((l) => l.startsWith('{'))
        .pop();
      if (!last) throw new Error(`crash-child ${cfg.mode} printed no report; stderr: ${err}`);
      return JSON.parse(last) as CrashChildReport;
    },
  };
}

/** Runs a child to its end and returns its report, or `killed` when a SIGKILL ended it. */
export async function runCrashChild(
  cfg: CrashChildConfig,
): Promise<{ killed: boolean; report?: CrashChildReport; stdout: string; pid: number }> {
  const p = spawnCrashChild(cfg);
  const { code, signal } = await p.exited;
  if (signal === 'SIGKILL') return { killed: true, stdout: p.stdout(), pid: p.pid };
  if (code !== 0) throw new Error(`crash-child ${cfg.mode} exited ${code ?? signal}: ${p.stderr()}`);
  return { killed: false, report: p.report(), stdout: p.stdout(), pid: p.pid };
}
