// Opens an Agent on the store URL with `await using`, runs it to the end and prints `finished`.
// Nothing closes the store but the disposal: on PostgreSQL an open pool would keep this process
// alive for its idle timeout (10 s) after the block.
import type { ToolManifest } from '@kestrion/core';
import { ScriptedProvider } from '@kestrion/core/provider-kit';
import { readFileSync } from 'node:fs';
import { Agent } from '@kestrion/agent';
import { OpsAgent } from '../fixtures/runtime/ops-agent';

const [url = '', manifestPath = ''] = process.argv.slice(2);

async function main(): Promise<void> {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ToolManifest;
  await using agent = new Agent(new OpsAgent(), {
    provider: new ScriptedProvider([{ text: 'all good' }]),
    store: url,
    model: 'm',
    manifest,
  });
  const run = await agent.run('check', { metadata: { tenant: 'child' } });
  console.log(`status ${run.status}`);
}

main().then(
  () => console.log('finished'),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
