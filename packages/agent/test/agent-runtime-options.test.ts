import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ConfigurationError,
  FakeClock,
  InMemoryStore,
  RunIdTakenError,
  RunNotFoundError,
  StoreError,
  type Store,
  type ToolManifest,
} from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/testing';
import { Agent, DecoratorUsageError, tool } from '../src/index';
import { ApprovalOptionsAgent } from './fixtures/runtime/approval-options-agent';
import { DeployAgent, SupportAgent } from './fixtures/runtime/deploy-agent';
import { call, compileRuntimeManifest } from './runtime-fixture';

let manifest: ToolManifest;
beforeAll(() => {
  manifest = compileRuntimeManifest();
});

describe('Agent opens its store lazily', () => {
  it('a store URL that cannot be opened kills no process: the first awaited call rejects with ConfigurationError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrion-agent-'));
    const manifestPath = join(dir, 'kestrion.manifest.json');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const url = `sqlite://${join(dir, 'no-such-dir', 'runs.db')}`;
    // A real process: an unhandled rejection (a constructor that opened the store) would end it
    // with exit code 1 before it calls anything, 1.5 s after the Agent was constructed.
    const child = spawnSync(
      process.execPath,
      [join(__dirname, 'children', 'lazy-store-child.js'), url, manifestPath],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toMatch(
      /^rejected ConfigurationError: cannot open the SQLite database .*no-such-dir/,
    );
  });

  it('reports the failed open where the caller awaits, and tries again on the next call', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'kestrion-agent-')), 'no-such-dir', 'runs.db');
    const agent = new Agent(new SupportAgent(), {
      provider: new ScriptedProvider([]),
      store: `sqlite://${missing}`,
      model: 'm',
      manifest,
    });
    await expect(agent.get('run_x')).rejects.toBeInstanceOf(ConfigurationError);
    mkdirSync(dirname(missing));
    await expect(agent.get('run_x')).rejects.toBeInstanceOf(RunNotFoundError);
    await (await agent.engine()).store.close();
  });

  it('exposes what a worker needs: its name, its engine (store, agent) and drive(lease)', async () => {
    const store = new InMemoryStore();
    const clock = new FakeClock(Date.UTC(2026, 3, 1));
    const support = new Agent(new SupportAgent(), {
      provider: new ScriptedProvider([{ text: 'one' }, { text: 'two' }]),
      store,
      model: 'm',
      manifest,
      clock,
    });
    const engine = await support.engine();
    expect(engine.agent).toBe(support.name);
    expect(engine.store).toBe(store);
    const ids = [await engine.start('a'), await engine.start('b')];
    const done: string[] = [];
    for (
      let lease = await store.claimNext({
        owner: 'w',
        ttlMs: 60_000,
        now: clock.now(),
        agents: [support.name],
      });
      lease;
      lease = await store.claimNext({ owner: 'w', ttlMs: 60_000, now: clock.now(), agents: [support.name] })
    ) {
      const run = await support.drive(lease);
      expect(run.status).toBe('completed');
      done.push(run.id);
    }
    expect(done.sort()).toEqual(ids.sort());
  });
});

describe('@tool approval options reach the engine', () => {
  const clock = () => new FakeClock(Date.UTC(2026, 3, 1, 9));
  const agentWith = (provider: ScriptedProvider, c = clock()) => ({
    agent: new Agent(new ApprovalOptionsAgent(), {
      provider,
      store: new InMemoryStore(),
      model: 'm',
      manifest,
      clock: c,
    }),
    clock: c,
  });

  it('approvalTimeoutMs + onApprovalTimeout fail: the deadline is recorded and its expiry fails the run', async () => {
    const { agent, clock: c } = agentWith(
      new ScriptedProvider([{ toolCalls: [call('t1', 'ship', { version: '1.2' })] }]),
    );
    const parked = await agent.run('ship 1.2');
    expect(parked.pending[0]?.deadline).toBe(new Date(c.now() + 60_000).toISOString());
    c.advance(61_000);
    const done = await agent.resume(parked.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'approval_expired' });
  });

  it('onApprovalTimeout expire: the run ends expired', async () => {
    const { agent, clock: c } = agentWith(
      new ScriptedProvider([{ toolCalls: [call('t1', 'purge', { what: 'cache' })] }]),
    );
    const parked = await agent.run('purge');
    c.advance(61_000);
    expect((await agent.resume(parked.id)).status).toBe('expired');
  });

  it('onReject fail: a rejection fails the run', async () => {
    const { agent } = agentWith(new ScriptedProvider([{ toolCalls: [call('t1', 'rotate', { key: 'k1' })] }]));
    const parked = await agent.run('rotate');
    await agent.reject(parked.id, { by: 'bob', reason: 'not now' });
    const done = await agent.resume(parked.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'approval_rejected' });
  });

  it('allowSameApprover: one person may decide both steps of the chain', async () => {
    const { agent } = agentWith(
      new ScriptedProvider([{ toolCalls: [call('t1', 'migrate', { db: 'orders' })] }, { text: 'migrated' }]),
    );
    const parked = await agent.run('migrate');
    await agent.approve(parked.id, { by: 'alice', role: 'dba' });
    await agent.approve(parked.id, { by: 'alice', role: 'lead' });
    expect((await agent.resume(parked.id)).status).toBe('completed');
  });

  it('the decorator refuses options that cannot work, naming the option', () => {
    const decorate = (options: Parameters<typeof tool>[0]) => () => {
      class Bad {
        @tool(options)
        async op(): Promise<void> {}
      }
      return Bad;
    };
    expect(decorate({ requiresApproval: true, approvalTimeoutMs: -5 })).toThrow(
      /approvalTimeoutMs must be a positive number/,
    );
    expect(
      decorate({ requiresApproval: true, approvalTimeoutMs: 1000, onApprovalTimeout: 'later' as 'fail' }),
    ).toThrow(/onApprovalTimeout must be 'reject', 'fail' or 'expire'/);
    expect(decorate({ requiresApproval: true, onApprovalTimeout: 'fail' })).toThrow(
      /onApprovalTimeout needs approvalTimeoutMs/,
    );
    expect(decorate({ approvalTimeoutMs: 1000 })).toThrow(/approvalTimeoutMs applies to approvals only/);
    expect(decorate({ requiresApproval: true, onReject: 'explode' as 'fail' })).toThrow(
      /onReject must be 'return' or 'fail'/,
    );
    expect(decorate({ requiresApproval: true, allowSameApprover: 'yes' as unknown as boolean })).toThrow(
      DecoratorUsageError,
    );
  });
});

describe('sub-agent child lookup', () => {
  it('starts a child only when none exists: a store error while looking propagates', async () => {
    const inner = new InMemoryStore();
    let failLookups = false;
    // The store answers everything, except reads of the child run while failLookups is set.
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (
            failLookups &&
            ['getRun', 'readEvents', 'loadSnapshot'].includes(String(prop)) &&
            String(args[0]).includes('/')
          )
            throw new StoreError('connection reset while reading the child run', { retryable: true });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as Store;
    const deployer = new Agent(new DeployAgent(), {
      provider: new ScriptedProvider([]),
      store,
      model: 'm',
      manifest,
    });
    // A previous attempt of the call started the child already.
    await (await deployer.engine()).start('ship 1.0', { runId: 'parent/call_1' });
    failLookups = true;
    const invocation = {
      runId: 'parent',
      callId: 'call_1',
      idempotencyKey: 'parent:call_1',
      attempt: 2,
      signal: new AbortController().signal,
      assertLeaseHeld: () => undefined,
    };
    const error = await Promise.resolve(deployer.asTool().invoke({ input: 'ship 1.0' }, invocation)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(error).not.toBeInstanceOf(RunIdTakenError);
  });
});

describe('maxSteps', () => {
  const looping = (turns: number) =>
    new ScriptedProvider(
      Array.from({ length: turns }, (_, i) => ({ toolCalls: [call(`t${i}`, 'invoice', { id: `${i}` })] })),
    );

  it("is the engine's documented default (1,000 node visits) unless set", async () => {
    const agent = new Agent(new SupportAgent(), {
      provider: looping(600),
      store: new InMemoryStore(),
      model: 'm',
      manifest,
      maxTurns: 600,
    });
    const run = await agent.run('loop');
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'limit_exceeded' });
    expect(run.error?.message).toMatch(/^maxSteps 1000 reached/);
  });

  it('can be set per agent', async () => {
    const agent = new Agent(new SupportAgent(), {
      provider: looping(10),
      store: new InMemoryStore(),
      model: 'm',
      manifest,
      maxSteps: 5,
    });
    const run = await agent.run('loop');
    expect(run.error?.message).toMatch(/^maxSteps 5 reached/);
  });
});

describe('@kestrion/store is an optional peer dependency', () => {
  it('is declared as one in package.json', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require('../package.json') as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    expect(pkg.dependencies?.['@kestrion/store']).toBeUndefined();
    expect(pkg.peerDependencies?.['@kestrion/store']).toBeDefined();
    expect(pkg.peerDependenciesMeta?.['@kestrion/store']).toEqual({ optional: true });
  });

  it('missing, a store URL is a ConfigurationError naming the package to install', async () => {
    jest.resetModules();
    jest.doMock('@kestrion/store', () => {
      const error = new Error("Cannot find module '@kestrion/store' from 'agent.ts'") as Error & {
        code: string;
      };
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    });
    try {
      /* eslint-disable @typescript-eslint/no-require-imports -- a fresh module registry, with the mock */
      const isolated = require('../src/index') as typeof import('../src/index');
      const core = require('@kestrion/core') as typeof import('@kestrion/core');
      const fixture =
        require('./fixtures/runtime/deploy-agent') as typeof import('./fixtures/runtime/deploy-agent');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const agent = new isolated.Agent(new fixture.SupportAgent(), {
        provider: new ScriptedProvider([]),
        store: 'sqlite://./x.db',
        model: 'm',
        manifest,
      });
      const error = await agent.get('run_x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(core.ConfigurationError);
      expect((error as Error).message).toMatch(
        /optional peer dependency @kestrion\/store: npm install @kestrion\/store/,
      );
    } finally {
      jest.dontMock('@kestrion/store');
      jest.resetModules();
    }
  });
});
