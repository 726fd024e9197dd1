import { agent, tool } from '@kestrion/agent';
import { inside } from './stopwatch';

/** The Kestrion side of the agent bench: two tools that do next to nothing. */
@agent({ instructions: 'Answer with the help of the tools.' })
export class BenchAgent {
  /**
   * Look a key up.
   * @param key The key.
   */
  @tool({ idempotent: true })
  async lookup(key: string): Promise<string> {
    return inside.time(() => `value of ${key}`);
  }

  /**
   * Add two numbers.
   * @param a The first number.
   * @param b The second number.
   */
  @tool({ idempotent: true })
  async add(a: number, b: number): Promise<number> {
    return inside.time(() => a + b);
  }
}
