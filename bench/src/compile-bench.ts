import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManifestCompiler, watchProject, type WatchEvent } from '@kestrion/compiler';
import { createGenerator } from 'ts-json-schema-generator';

const FILES = 20;
const TOOLS_PER_FILE = 10;
const RUNS = 7;
const WATCH_EDITS = 5;
const REPO = path.resolve(__dirname, '..', '..');

/**
 * Compile bench: a generated project of 200 tools in 20 files, compiled by `@kestrion/compiler`
 * and, on the same parameter types (one exported `ToolNArgs` interface per tool), by
 * ts-json-schema-generator, in the same process; then `--watch` latency after a one-file edit
 * (file written -> new manifest written). Medians of a few runs. Writes bench/results/compile.md.
 */
export async function runCompileBench(): Promise<string> {
  const dir = generateProject();
  try {
    const ours: number[] = [];
    const peer: number[] = [];
    let toolCount = 0;
    let peerDefinitions = 0;
    const compileOurs = (): void => {
      const t0 = performance.now();
      const result = ManifestCompiler.fromTsConfig(path.join(dir, 'tsconfig.json')).compile();
      ours.push(performance.now() - t0);
      if (result.diagnostics.length > 0)
        throw new Error(`bench project does not compile: ${result.diagnostics[0]?.message}`);
      toolCount = Object.keys(result.manifest.tools).length;
    };
    const compilePeer = (): void => {
      const t0 = performance.now();
      const schema = createGenerator({
        path: path.join(dir, 'src', '*.ts'),
        tsconfig: path.join(dir, 'tsconfig.json'),
        type: '*',
        skipTypeCheck: true,
        expose: 'export',
        jsDoc: 'extended',
      }).createSchema('*');
      peer.push(performance.now() - t0);
      peerDefinitions = Object.keys(schema.definitions ?? {}).length;
    };
    // Alternate which one goes first, so neither always meets a warmer JIT.
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        compileOurs();
        compilePeer();
      } else {
        compilePeer();
        compileOurs();
      }
    }
    const watch = await measureWatch(dir);
    const report = renderReport({ ours, peer, watch, toolCount, peerDefinitions });
    const out = path.join(REPO, 'bench', 'results', 'compile.md');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, report);
    return report;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measureWatch(dir: string): Promise<number[]> {
  const latencies: number[] = [];
  let waiting: ((e: WatchEvent) => void) | undefined;
  const watcher = watchProject({
    project: path.join(dir, 'tsconfig.json'),
    onCompile: (event) => {
      if (event.written) waiting?.(event);
    },
  });
  try {
    await watcher.ready;
    const file = path.join(dir, 'src', 'agent-7.ts');
    const original = fs.readFileSync(file, 'utf8');
    for (let i = 0; i < WATCH_EDITS; i++) {
      const next = new Promise<WatchEvent>((resolve) => (waiting = resolve));
      const edited = original.replace(
        'async tool7_0(name: string,',
        `async tool7_0(name: string, extra${i}: number,`,
      );
      const t0 = performance.now();
      fs.writeFileSync(file, edited);
      await next;
      latencies.push(performance.now() - t0);
    }
  } finally {
    watcher.close();
  }
  return latencies;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function renderReport(r: {
  ours: number[];
  peer: number[];
  watch: number[];
  toolCount: number;
  peerDefinitions: number;
}): string {
  const ms = (v: number) => `${Math.round(v)} ms`;
  const oursMedian = median(r.ours);
  const peerMedian = median(r.peer);
  const watchMedian = median(r.watch);
  return `# Compile bench

Generated project: ${FILES} files, ${r.toolCount} \`@tool\` methods (strings with JSDoc constraints, branded integers,
optional and nullable parameters, string enums, literal unions, arrays, nested interfaces from a shared file,
\`Record\`, \`Date\`). ts-json-schema-generator gets one exported \`ToolNArgs\` interface per tool holding the same
parameter types (and the shared types), ${r.peerDefinitions} definitions, in the same process, \`skipTypeCheck\` on.
Both build their own TypeScript program on every run (alternating which goes first). Medians of ${RUNS} runs
(watch: ${WATCH_EDITS} edits; the watcher debounces 30 ms, included).

| measurement | median | runs | bar | verdict |
|---|---|---|---|---|
| \`@kestrion/compiler\` full compile (200 tools -> manifest) | ${ms(oursMedian)} | ${r.ours.map(ms).join(', ')} | <= peer | ${oursMedian <= peerMedian ? 'pass' : 'FAIL'} |
| ts-json-schema-generator, same types | ${ms(peerMedian)} | ${r.peer.map(ms).join(', ')} | — | — |
| \`--watch\` recompile after a one-file edit (write -> manifest written) | ${ms(watchMedian)} | ${r.watch.map(ms).join(', ')} | < 1000 ms | ${watchMedian < 1000 ? 'pass' : 'FAIL'} |

Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${os.platform()}.
The bench targets a 2-core machine; absolute numbers move with the machine, the ratio is the claim.
`;
}

/** Writes the generated project into a temp dir; `@kestrion/agent` resolves to this repo's build. */
function generateProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kestrion-compile-bench-'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.mkdirSync(path.join(dir, 'node_modules', '@kestrion'), { recursive: true });
  fs.symlinkSync(
    path.join(REPO, 'packages', 'agent'),
    path.join(dir, 'node_modules', '@kestrion', 'agent'),
    'dir',
  );
  fs.symlinkSync(
    path.join(REPO, 'packages', 'core'),
    path.join(dir, 'node_modules', '@kestrion', 'core'),
    'dir',
  );
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: [],
      },
      include: ['src'],
    }),
  );
  fs.writeFileSync(path.join(dir, 'src', 'shared.ts'), SHARED);
  for (let f = 0; f < FILES; f++) fs.writeFileSync(path.join(dir, 'src', `agent-${f}.ts`), agentFile(f));
  return dir;
}

const SHARED = `/** An integer. */
export type Int = number & { __brand: 'integer' };
/** Where to act. */
export interface Target {
  /** @minLength 1 */
  cluster: string;
  namespace: string;
  labels: Record<string, string>;
}
export type Mode = 'fast' | 'safe' | 'dry-run';
export interface Result {
  ok: boolean;
  at: Date;
  messages: string[];
}
`;

function agentFile(f: number): string {
  const tools: string[] = [];
  const args: string[] = [];
  for (let t = 0; t < TOOLS_PER_FILE; t++) {
    const id = `${f}_${t}`;
    args.push(`/** Arguments of tool${id}. */
export interface Tool${id}Args {
  /** The name. @maxLength 64 */
  name: string;
  count?: Int;
  mode: Mode;
  tags: string[];
  when: Date;
  target: Target;
  note: string | null;
  options: { retries: number; verbose?: boolean; level: ${t % 3 === 0 ? "'low' | 'high'" : 'number'} };
}`);
    tools.push(`  /**
   * Tool ${id}.
   * @param name The name.
   */
  @tool()
  async tool${id}(name: string, count: Int | undefined, mode: Mode, tags: string[], when: Date, target: Target, note: string | null, options: { retries: number; verbose?: boolean; level: ${t % 3 === 0 ? "'low' | 'high'" : 'number'} }): Promise<Result> {
    void [name, count, mode, tags, when, target, note, options];
    return { ok: true, at: new Date(0), messages: [] };
  }`);
  }
  return `import { tool } from '@kestrion/agent';
import type { Int, Mode, Result, Target } from './shared';

${args.join('\n\n')}

export class Agent${f} {
${tools.join('\n\n')}
}
`;
}
