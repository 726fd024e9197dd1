import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { anthropic } from '@kestrion/anthropic';
import { ManifestCompiler } from '@kestrion/compiler';
import type { Provider, Redactor, ToolManifest } from '@kestrion/core';
import { ollama } from '@kestrion/ollama';
import { openai } from '@kestrion/openai';
import { openStore } from '@kestrion/store';
import {
  type FakeModelServer,
  FakeAnthropicServer,
  FakeOllamaServer,
  FakeOpenAIServer,
  ScriptedProvider,
} from '@kestrion/testing';
import { Agent } from '../src/index';
import { PodAgent, SyncAgent } from './fixtures/tool-call-args/pod-agent';
import { call } from './runtime-fixture';

// Secrets never reach an event, a snapshot or an error message, with or without a user
// redactor: a provider whose 401 echoes the API key (and the Authorization header), an Ollama
// host with credentials in its URL, a tool whose error names a URL with a password and a
// Bearer token. After each run, every row of every table of the SQLite file, and the file's
// bytes (WAL included), are searched for each secret.

let manifest: ToolManifest;
let dir: string;
beforeAll(() => {
  const result = ManifestCompiler.fromTsConfig(
    join(__dirname, 'fixtures', 'tool-call-args', 'tsconfig.json'),
  ).compile();
  expect(result.diagnostics).toEqual([]);
  manifest = result.manifest;
  dir = mkdtempSync(join(tmpdir(), 'kestrion-secrets-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every value of every row of every table of the database, as text. */
function everyRow(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining(['kestrion_events', 'kestrion_runs', 'kestrion_snapshots']),
    );
    return tables
      .map((t) =>
        db
          .prepare(`SELECT * FROM "${t}"`)
          .all()
          .map((row) =>
            Object.values(row as Record<string, unknown>)
              .map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)))
              .join('\u0000'),
          )
          .join('\n'),
      )
      .join('\n');
  } finally {
    db.close();
  }
}

/** Every text an error carries: message, stack and String() of it and of its whole cause chain. */
function errorTexts(error: unknown): string {
  const out: string[] = [];
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    out.push(String(e));
    if (e instanceof Error) {
      out.push(e.message, e.stack ?? '');
      e = e.cause;
    } else break;
  }
  return out.join('\n');
}

const REDACTORS: Array<[string, Redactor | undefined]> = [
  ['without a redactor', undefined],
  ['with a user redactor', (e) => e],
];

interface Scenario {
  name: string;
  secrets: string[];
  server?: () => FakeModelServer;
  /** The provider on the started server. */
  provider: (server: FakeModelServer | undefined) => Provider;
  agent: () => object;
  /** Checks on the request the server received (the credentials were sent). */
  sent?: (server: FakeModelServer) => void;
}

const OPENAI_KEY = `sk-proj-${'Ab3dE5gH7jK9mN1pQ3sT5vW7'.repeat(2)}`;
const ODD_KEY = 'corp-gateway-7f3a9c21e4b8d6f0';
const ANTHROPIC_KEY = `sk-ant-api03-${'Zx8Yw6Vu4Ts2Rq0Po9Nm7Lk5'.repeat(2)}-AA`;
const OLLAMA_PASSWORD = 'hunter2-Ollama-pw';

/** A 401 that echoes the credentials it was sent, as some gateways do. */
function echo401(server: FakeModelServer, extra: string): FakeModelServer {
  return server.respondWith((request) => ({
    kind: 'status',
    status: 401,
    message: `Incorrect API key provided: ${extra}; authorization: ${String(request.headers.authorization)}; x-api-key: ${String(request.headers['x-api-key'])}`,
  }));
}

const SCENARIOS: Scenario[] = [
  {
    name: 'OpenAI 401 echoing an sk- key',
    secrets: [OPENAI_KEY],
    server: () => echo401(new FakeOpenAIServer(), OPENAI_KEY),
    provider: (s) => openai('gpt-4.1', { apiKey: OPENAI_KEY, baseURL: s!.url, maxRetries: 0 }),
    agent: () => new PodAgent(),
  },
  {
    name: 'OpenAI 401 echoing a key of no known shape',
    secrets: [ODD_KEY],
    server: () => echo401(new FakeOpenAIServer(), ODD_KEY),
    provider: (s) => openai('gpt-4.1', { apiKey: ODD_KEY, baseURL: s!.url, maxRetries: 0 }),
    agent: () => new PodAgent(),
  },
  {
    name: 'Anthropic 401 echoing an sk-ant- key',
    secrets: [ANTHROPIC_KEY],
    server: () => echo401(new FakeAnthropicServer(), ANTHROPIC_KEY),
    provider: (s) => anthropic('claude-haiku-4-5', { apiKey: ANTHROPIC_KEY, baseURL: s!.url, maxRetries: 0 }),
    agent: () => new PodAgent(),
  },
  {
    name: 'Ollama host with credentials, 401 echoing them',
    secrets: [OLLAMA_PASSWORD, Buffer.from(`kestrion:${OLLAMA_PASSWORD}`).toString('base64')],
    server: () => new FakeOllamaServer(),
    provider: (s) => {
      const origin = new URL(s!.url);
      const host = `http://kestrion:${OLLAMA_PASSWORD}@${origin.host}`;
      echo401(s!, `password ${OLLAMA_PASSWORD} for ${host}`);
      return ollama('qwen3:8b', { host, maxRetries: 0 });
    },
    agent: () => new PodAgent(),
    sent: (s) => {
      expect(s.requests[0]?.headers.authorization).toBe(
        `Basic ${Buffer.from(`kestrion:${OLLAMA_PASSWORD}`).toString('base64')}`,
      );
    },
  },
  {
    name: 'a tool error naming a URL with a password and a Bearer token',
    secrets: SyncAgent.SECRETS,
    provider: () => new ScriptedProvider([{ toolCalls: [call('s1', 'sync', {})] }, { text: 'Sync failed.' }]),
    agent: () => new SyncAgent(),
  },
];

describe.each(REDACTORS)('secrets, %s', (_, redact) => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    'appear in no event, snapshot, row or error message: %s',
    async (label, scenario) => {
      const server = scenario.server?.();
      await server?.start();
      const file = join(dir, `${label.replace(/\W+/g, '-')}-${redact ? 'r' : 'n'}.db`);
      try {
        const provider = scenario.provider(server);
        const store = await openStore(`sqlite://${file}`, redact ? { redact } : {});
        const agent = new Agent(scenario.agent(), { provider, store, model: 'm', manifest });
        const run = await agent.run('go');
        const texts = [JSON.stringify(run), errorTexts(run.error)];
        if (server !== undefined) {
          expect(run.status).toBe('failed');
          expect(run.error?.message).toMatch(/401/);
          scenario.sent?.(server);
          // The error the provider throws, and its cause chain, are clean too.
          const thrown = await provider
            .complete({ model: '', messages: [{ role: 'user', content: 'hi' }] })
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(thrown).toBeInstanceOf(Error);
          texts.push(errorTexts(thrown));
        } else {
          expect(run.status).toBe('completed');
          const events = [];
          for await (const e of store.readEvents(run.id)) events.push(e);
          const failed = events.find((e) => e.type === 'tool.failed');
          expect(JSON.stringify(failed?.data)).toMatch(
            /sync failed: POST https:\/\/svc:\[REDACTED\]@internal/,
          );
        }
        await store.close();
        texts.push(everyRow(file));
        for (const suffix of ['', '-wal', '-shm', '-journal'])
          if (existsSync(file + suffix)) texts.push(readFileSync(file + suffix).toString('latin1'));
        for (const secret of scenario.secrets) expect(texts.filter((t) => t.includes(secret))).toEqual([]);
      } finally {
        await server?.close();
      }
    },
  );
});
