import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

/**
 * The tsconfig text of a throwaway project in a temp directory: the repo's compiler settings,
 * with `@kestrion/agent` and `@kestrion/core` resolved to their sources.
 */
export function throwawayTsconfig(include: string[] = ['src']): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      paths: {
        '@kestrion/agent': [path.join(REPO, 'packages/agent/src/index.ts')],
        '@kestrion/core': [path.join(REPO, 'packages/core/src/index.ts')],
      },
    },
    include,
  });
}
