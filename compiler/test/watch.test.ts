import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { watchProject, type ProjectWatcher, type WatchEvent } from '@kestrion/compiler';
import { throwawayTsconfig } from './throwaway-tsconfig';

let dir: string;
let tsconfig: string;
let watcher: ProjectWatcher | undefined;
const events: WatchEvent[] = [];
let onEvent: (() => void) | undefined;

function agentFile(cls: string, method: string): string {
  return `import { tool } from '@kestrion/agent';

export class ${cls} {
  /** ${method}. */
  @tool()
  async ${method}(id: string): Promise<string> {
    return id;
  }
}
`;
}

function writeConfig(include: string[]): void {
  fs.writeFileSync(tsconfig, throwawayTsconfig(include));
}

/** Resolves with the first compilation (from now on) whose manifest satisfies `test`. */
function nextCompile(test: (e: WatchEvent) => boolean, timeoutMs = 30_000): Promise<WatchEvent> {
  const seen = events.length;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no matching compilation in ${timeoutMs} ms`)),
      timeoutMs,
    );
    onEvent = () => {
      const found = events.slice(seen).find(test);
      if (found === undefined) return;
      clearTimeout(timer);
      onEvent = undefined;
      resolve(found);
    };
  });
}

function toolsOnDisk(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'kestrion.manifest.json'), 'utf8')) as {
    tools: Record<string, unknown>;
  };
  return Object.keys(manifest.tools);
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-watch-'));
  tsconfig = path.join(dir, 'tsconfig.json');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'ops-agent.ts'), agentFile('OpsAgent', 'status'));
  writeConfig(['src']);
  events.length = 0;
  watcher = watchProject({
    project: tsconfig,
    onCompile: (e) => {
      events.push(e);
      onEvent?.();
    },
  });
  await watcher.ready;
  expect(toolsOnDisk()).toEqual(['OpsAgent.status']);
});

afterEach(() => {
  watcher?.close();
  watcher = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('--watch', () => {
  it('picks up a new directory with a new @tool file', async () => {
    const next = nextCompile((e) => 'BillingAgent.refund' in e.manifest.tools);
    fs.mkdirSync(path.join(dir, 'src', 'billing', 'refunds'), { recursive: true });
    const file = path.join(dir, 'src', 'billing', 'refunds', 'billing-agent.ts');
    fs.writeFileSync(file, agentFile('BillingAgent', 'refund'));
    const event = await next;
    expect(event.written).toBe(true);
    expect(event.changedFiles).toContain(file);
    expect(toolsOnDisk()).toEqual(['BillingAgent.refund', 'OpsAgent.status']);
  });

  it('re-reads the tsconfig when its include changes', async () => {
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'lib', 'extra-agent.ts'), agentFile('ExtraAgent', 'extra'));
    const next = nextCompile((e) => 'ExtraAgent.extra' in e.manifest.tools);
    writeConfig(['src', 'lib']);
    const event = await next;
    expect(event.written).toBe(true);
    expect(event.changedFiles).toContain(tsconfig);
    expect(toolsOnDisk()).toEqual(['ExtraAgent.extra', 'OpsAgent.status']);

    const dropped = nextCompile((e) => !('ExtraAgent.extra' in e.manifest.tools));
    writeConfig(['src']);
    await dropped;
    expect(toolsOnDisk()).toEqual(['OpsAgent.status']);
  });
});
