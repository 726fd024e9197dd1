import { type ChildProcess, spawn } from 'node:child_process';
import { type WorkerChildConfig, ownerOf, workerChildScript } from './worker-crash-protocol';

/** A running `worker-child`: its output so far, and how it ended. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  owner: string;
  lines(): string[];
  stderr(): string;
  /** The probe server's port (0 when none), once `ready` was printed. */
  port(): number;
  /** Resolves when it exits: the signal that killed it, or null after a normal exit; and when. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves with the first line of stdout that satisfies `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

export function spawnWorkerChild(cfg: WorkerChildConfig): WorkerProcess {
  const child = spawn(process.execPath, [workerChildScript(), JSON.stringify(cfg)], {
    // stdin stays open while this process lives: the child exits when it closes (see worker-child).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid ?? -1;
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    wake();
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // Resolved on 'close' (stdout read to its end; 'exit' can come before the last lines are),
  // with the time of the exit itself.
  let exitAt = 0;
  let closed = false;
  child.on('exit', () => (exitAt = Date.now()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((res) =>
    child.on('close', (code, signal) => {
      closed = true;
      res({ code, signal, at: exitAt || Date.now() });
      wake();
    }),
  );
  const lines = () => out.split('\n').filter((l) => l.length > 0);
  return {
    child,
    pid,
    owner: ownerOf(cfg.label, pid),
    lines,
    stderr: () => err,
    exited,
    port: () =>
      Number(
        lines()
          .find((l) => l.startsWith('ready '))
          ?.split(' ')[2] ?? 0,
      ),
    async waitForLine(test, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines().find(test);
        if (hit !== undefined) return hit;
        if (closed)
          throw new Error(`worker-child ${cfg.label} exited before the expected line; stderr: ${err}`);
        if (Date.now() > deadline) throw new Error(`worker-child ${cfg.label}: timed out; stdout: ${out}`);
        await new Promise<void>((r) => {
          const done = () => {
            waiters.delete(done);
            clearTimeout(timer);
            r();
          };
          const timer = setTimeout(done, 50);
          waiters.add(done);
        });
      }
    },
  };
}

/** SIGKILLs a child and resolves once it is gone, with the time of the signal. */
export async function killChild(p: WorkerProcess): Promise<number> {
  const at = Date.now();
  p.child.kill('SIGKILL');
  await p.exited;
  return at;
}

/** The `error ...` lines a child printed, counted by `<name> <code>`. */
export function childErrors(p: WorkerProcess): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of p.lines().filter((line) => line.startsWith('error '))) {
    const key = l.split(' ').slice(1, 3).join(' ');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
