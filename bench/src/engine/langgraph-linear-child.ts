/**
 * One LangGraph system of the linear-run comparison, alone in a fresh process. Prints one
 * JSON line.   <sqlite|none> <dir> <warmups> <steps>
 * Each run gets a new SqliteSaver database file; see warm-measure for what is measured.
 */
import { join } from 'node:path';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { langgraphLinear } from './langgraph-linear';
import { measure } from './warm-measure';
import { runChildMain } from './child-main';

async function main(): Promise<void> {
  const [system = '', dir = '', warmups = '0', steps = '1000'] = process.argv.slice(2);
  const run = (i: number) =>
    langgraphLinear(
      Number(steps),
      false,
      system === 'sqlite' ? SqliteSaver.fromConnString(join(dir, `lg-${process.pid}-${i}.db`)) : undefined,
    );
  process.stdout.write(
    JSON.stringify({ msPerStep: (await measure(run, Number(warmups))) / Number(steps) }) + '\n',
  );
}

runChildMain(main);
