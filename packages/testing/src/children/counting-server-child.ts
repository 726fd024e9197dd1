/**
 * A CountingOpenAIServer as a process of its own (benchmarks put workers in other processes):
 * argv[2] is the JSON of `CountingServerProcessOptions`. Prints `{"url": ...}` on one line once
 * listening; exits when stdin closes or on SIGTERM. Arrivals: `GET <url>/fake/arrivals`.
 */
import { CountingOpenAIServer, scaledClock } from '../fakes/counting-openai-server';
import type { CountingServerProcessOptions } from '../fakes/counting-server-process';

async function main(): Promise<void> {
  const { scale, ...options } = JSON.parse(process.argv[2] ?? '{}') as CountingServerProcessOptions;
  const server = await new CountingOpenAIServer({
    ...options,
    ...(scale === undefined ? {} : { clock: scaledClock(scale.originMs, scale.speed) }),
  }).start();
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
