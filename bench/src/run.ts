/**
 * `npm run bench -- <name...>`: runs the named benchmarks (all when none is named, except those
 * run only by name) and writes each report to bench/results/<name>.md. Figures are ratios against
 * a baseline measured in the same run: these machines are noisy.
 */
type Bench = () => Promise<string>;

const benches: Record<string, () => Promise<Bench>> = {
  store: async () => (await import('./store-bench.js')).runStoreBench,
  compile: async () => (await import('./compile-bench.js')).runCompileBench,
  engine: async () => (await import('./engine-bench.js')).runEngineBench,
  agent: async () => (await import('./agent-bench.js')).runAgentBench,
  codec: async () => (await import('./codec-bench.js')).runCodecBench,
  scale: async () => (await import('./scale/scale-bench.js')).runScaleBench,
};

/** Run only when named: `scale` takes ~25 minutes and must have the machine to itself. */
const byNameOnly = new Set(['scale']);

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !(n in benches));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  for (const name of names.length > 0 ? names : Object.keys(benches).filter((n) => !byNameOnly.has(n))) {
    console.error(`bench ${name}: running`);
    const report = await (await benches[name]!())();
    console.log(report);
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
