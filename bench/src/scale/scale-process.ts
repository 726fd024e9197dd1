import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A child of the scale bench that talks in lines: it prints `ready`, `progress <json>` and
 * `report <json>`, and reads commands (`go`, `stop`) on stdin.
 */
export class LineChild<Progress, Report> {
  private readonly child: ChildProcess;
  private ready = false;
  private report: Report | undefined;
  private stderr = '';
  private readonly progress = new Map<string, Progress>();
  private readonly exited: Promise<number | null>;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    script: string,
    config: unknown,
    progressKey: (p: Progress) => string = () => 'last',
  ) {
    this.child = spawn(process.execPath, [script, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (line === 'ready') this.ready = true;
      else if (line.startsWith('progress ')) {
        const p = JSON.parse(line.slice('progress '.length)) as Progress;
        this.progress.set(progressKey(p), p);
      } else if (line.startsWith('report ')) this.report = JSON.parse(line.slice('report '.length)) as Report;
      this.notify();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        this.notify();
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The latest `progress` line (or the one under `key`). */
  latest(key = 'last'): Progress | undefined {
    return this.progress.get(key);
  }

  send(command: string): void {
    this.child.stdin!.write(`${command}\n`);
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await this.until(() => this.ready, timeoutMs, 'ready');
  }

  /** Sends `stop` (unless `send` is false) and waits for the report and the exit. */
  async stop(timeoutMs = 120_000, send = true): Promise<Report> {
    if (send) this.send('stop');
    await this.until(() => this.report !== undefined, timeoutMs, 'report');
    await this.exited;
    return this.report as Report;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  private async until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(
          `${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}: ${this.stderr}`,
        );
      if (Date.now() > deadline)
        throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.listeners.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, 200);
        this.listeners.add(done);
      });
    }
  }
}
