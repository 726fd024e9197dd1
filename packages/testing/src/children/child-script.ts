import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Path of a compiled child-process script of this package. Tests run from `src/` under
 * ts-jest, but real child processes run the built JavaScript in `dist/`.
 */
export function childScript(name: string): string {
  const path = resolve(__dirname, '..', '..', 'dist', 'children', `${name}.js`);
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`npm run build\` before the tests that spawn processes`);
  return path;
}
