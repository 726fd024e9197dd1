// The TypeScript sources `kestrion init` writes: an agent class with a gated tool, the Agent the
// CLI drives (default export), the model choice, and a jest test of run -> approve -> resume.
// Kept as text: they compile in the user's project against the installed packages, not here.

/** src/agent.ts: the decorated class and the Agent the kestrion commands load. */
export const AGENT_TS = `import { join } from 'node:path';
import { Agent, agent, tool } from '@kestrion/agent';
import type { Provider, Store } from '@kestrion/core';
import { chooseModel } from './model';

export interface ServiceStatus {
  name: string;
  healthy: boolean;
}

const SERVICES: ServiceStatus[] = [
  { name: 'checkout', healthy: false },
  { name: 'search', healthy: true },
];

// \`name\` is the agent's stable id: its runs and its manifest entries (\`ops.restartService\`) go by
// it, so a bundler renaming the class changes nothing.
@agent({ name: 'ops', instructions: 'You keep services healthy. Look before you restart anything.' })
export class OpsAgent {
  /** List the services and whether each one is healthy. */
  @tool({ idempotent: true })
  async listServices(): Promise<ServiceStatus[]> {
    return SERVICES;
  }

  /**
   * Restart a service. A person approves every restart before it happens.
   * @param service The service to restart.
   * @param reason Why it needs a restart.
   */
  @tool({ requiresApproval: true })
  async restartService(service: string, reason: string): Promise<string> {
    const found = SERVICES.find((s) => s.name === service);
    if (!found) return \`no service named \${service}\`;
    found.healthy = true;
    return \`restarted \${service} (\${reason})\`;
  }
}

export interface OpsAgentOptions {
  /** A Store or a store URL. Default: KESTRION_STORE (the kestrion CLI sets it from --store), else ./kestrion.db. */
  store?: Store | string;
  provider?: Provider;
  model?: string;
}

/** The ops Agent on a store and a model (by default the ones the environment names). */
export function createAgent(options: OpsAgentOptions = {}): Agent<OpsAgent> {
  const chosen = options.provider ? { provider: options.provider, model: options.model ?? 'scripted' } : chooseModel();
  return new Agent(new OpsAgent(), {
    provider: chosen.provider,
    model: options.model ?? chosen.model,
    store: options.store ?? process.env.KESTRION_STORE ?? 'sqlite://kestrion.db',
    // Beside src/ and dist/ alike, whatever the working directory.
    manifest: join(__dirname, '..', 'kestrion.manifest.json'),
  });
}

/** What \`kestrion run src/agent.ts\`, \`approve\`, \`resume\` and \`kestrion worker dist/agent.js\` drive. */
export default createAgent();
`;

/** src/model.ts: a real provider when its key is set, else the scripted model. */
export const MODEL_TS = `import { anthropic } from '@kestrion/anthropic';
import type { ModelRequest, ModelResponse, Provider } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/core/provider-kit';
import { openai } from '@kestrion/openai';

export interface ModelChoice {
  provider: Provider;
  model: string;
}

/** Anthropic when ANTHROPIC_API_KEY is set, else OpenAI when OPENAI_API_KEY is set, else the scripted model. */
export function chooseModel(env: NodeJS.ProcessEnv = process.env): ModelChoice {
  if (env.ANTHROPIC_API_KEY)
    return { provider: anthropic('claude-sonnet-4-5', { apiKey: env.ANTHROPIC_API_KEY }), model: 'claude-sonnet-4-5' };
  if (env.OPENAI_API_KEY) return { provider: openai('gpt-4.1-mini', { apiKey: env.OPENAI_API_KEY }), model: 'gpt-4.1-mini' };
  return { provider: scriptedModel(), model: 'scripted' };
}

/**
 * A model that needs no key: it answers by what the conversation holds (look, then restart the
 * service the request names, then report), so every process, and any number of runs, gets the
 * right next turn.
 */
export function scriptedModel(): Provider {
  return {
    name: 'scripted',
    complete: (request, options) => new ScriptedProvider([nextTurn]).complete(request, options),
  };
}

function nextTurn(request: ModelRequest): Partial<ModelResponse> {
  const asked = request.messages.find((m) => m.role === 'user')?.content ?? '';
  const service = /restart\\s+([\\w-]+)/i.exec(asked)?.[1] ?? 'checkout';
  const results = request.messages.filter((m) => m.role === 'tool');
  if (results.length === 0)
    return { text: 'Let me look at the services.', toolCalls: [{ id: 'call_1', name: 'listServices', arguments: {} }] };
  if (results.length === 1)
    return {
      text: \`Restarting \${service}.\`,
      toolCalls: [{ id: 'call_2', name: 'restartService', arguments: { service, reason: asked } }],
    };
  return { text: \`Done: \${results[results.length - 1]?.content ?? ''}\` };
}
`;

/** test/agent.test.ts: run -> approve -> resume, the decision taken by a second Agent as another process would. */
export const AGENT_TEST_TS = `import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../src/agent';
import { scriptedModel } from '../src/model';

describe('the ops agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ops-agent-'));
  const store = \`sqlite://\${join(dir, 'runs.db')}\`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parks before restarting a service, and restarts it once approved', async () => {
    const first = createAgent({ store, provider: scriptedModel() });
    const parked = await first.run('Restart checkout: it fails its health checks');
    expect(parked.status).toBe('waiting_on_human');
    expect(parked.pending.map((p) => p.tool)).toEqual(['restartService']);
    await first.close();

    // Another process, as \`kestrion approve\` and \`kestrion resume\` would be: a new Agent on the same store.
    const second = createAgent({ store, provider: scriptedModel() });
    await second.approve(parked.id, { by: 'alice' });
    const done = await second.resume(parked.id);
    expect(done.status).toBe('completed');
    expect(done.lastMessage).toContain('restarted checkout');
    await second.close();
  });
});
`;
