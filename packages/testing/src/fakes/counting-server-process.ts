import { spawn } from 'node:child_process';
import { childScript } from '../children/child-script';
import { fetchArrivals, type CountingServerOptions, type ServerArrival } from './counting-openai-server';

/** A counting server's options as JSON: a compressed clock is given by its origin and speed. */
export type CountingServerProcessOptions = Omit<CountingServerOptions, 'clock' | 'random'> & {
  /** `scaledClock(originMs, speed)` in the server process. */
  scale?: { originMs: number; speed: number };
};

/** A CountingOpenAIServer running in a child process. */
export interface CountingServerProcess {
  /** The base URL for the OpenAI SDK (ends in /v1). */
  url: string;
  arrivals(): Promise<ServerArrival[]>;
  close(): Promise<void>;
}

/** Starts a CountingOpenAIServer in a process of its own (needs `npm run build`). */
export async function spawnCountingServer(
  options: CountingServerProcessOptions = {},
): Promise<CountingServerProcess> {
  const child = spawn(process.execPath, [childScript('counting-server-child'), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`counting server exited ${code} before listening`)));
  });
  return {
    url,
    arrivals: () => fetchArrivals(url),
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
