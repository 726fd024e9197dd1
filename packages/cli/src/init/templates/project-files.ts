// The project files `kestrion init` writes around the sources: package.json, the tsconfigs, jest's
// config, .gitignore and a README.

/** Versions the scaffold asks for: those this repository builds and tests with. */
export const SCAFFOLD_VERSIONS = {
  kestrion: '^0.1.0',
  'better-sqlite3': '^12.6.2',
  pg: '^8.23.1',
  typescript: '^5.9.3',
  jest: '^30.5.2',
  'ts-jest': '^29.4.15',
  '@types/jest': '^30.0.0',
  '@types/node': '^20.19.43',
} as const;

/** The Kestrion packages the scaffold depends on directly (the `kestrion` CLI included). */
export const KESTRION_DEPENDENCIES = [
  'kestrion',
  '@kestrion/agent',
  '@kestrion/core',
  '@kestrion/store',
  '@kestrion/anthropic',
  '@kestrion/openai',
] as const;

/**
 * package.json: `kestrion compile` writes the tool manifest before `tsc` builds and before jest
 * tests. `kestrionDeps` maps each Kestrion package to its version or `file:` tarball.
 */
export function packageJson(name: string, kestrionDeps: Record<string, string>): string {
  const sorted = (o: Record<string, string>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    description: 'A Kestrion agent: a gated tool, run -> approve -> resume.',
    scripts: {
      build: 'kestrion compile && tsc -p tsconfig.build.json',
      // jest transpiles only (isolatedModules): tsc is the type check.
      test: 'kestrion compile && tsc -p tsconfig.json --noEmit && jest',
      worker: 'kestrion worker src/agent.ts --metrics-port 9464',
    },
    engines: { node: '>=20' },
    // npm 11's install-script policy: better-sqlite3 builds its native addon; the others ship binaries.
    allowScripts: { 'better-sqlite3': true, '@parcel/watcher': false, esbuild: false },
    dependencies: sorted({
      ...kestrionDeps,
      'better-sqlite3': SCAFFOLD_VERSIONS['better-sqlite3'],
      pg: SCAFFOLD_VERSIONS.pg,
    }),
    devDependencies: {
      '@types/jest': SCAFFOLD_VERSIONS['@types/jest'],
      '@types/node': SCAFFOLD_VERSIONS['@types/node'],
      jest: SCAFFOLD_VERSIONS.jest,
      'ts-jest': SCAFFOLD_VERSIONS['ts-jest'],
      typescript: SCAFFOLD_VERSIONS.typescript,
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** tsconfig.json: the type-check program of src/ and test/ (editor, jest, kestrion compile). */
export const TSCONFIG_JSON = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "node16",
    "moduleResolution": "node16",
    "strict": true,
    "esModuleInterop": true,
    "skipLibCheck": true,
    "isolatedModules": true,
    // @agent and @tool are standard (TC39) decorators: TypeScript 5 compiles them with no flag.
    // Keep experimentalDecorators off: tsx and esbuild read this file and must agree with tsc.
    "experimentalDecorators": false,
    "sourceMap": true,
    "types": ["node", "jest"]
  },
  "include": ["src", "test"]
}
`;

/** tsconfig.build.json: src/ only, into dist/ (what a worker image runs: dist/agent.js). */
export const TSCONFIG_BUILD_JSON = `{
  "extends": "./tsconfig.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "types": ["node"] },
  "include": ["src"]
}
`;

export const JEST_CONFIG_JS = `/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
};
`;

export const GITIGNORE = `node_modules/
dist/
*.db
*.db-*
`;

export function readme(name: string, local: boolean): string {
  return `# ${name}

A Kestrion agent: \`src/agent.ts\` declares \`OpsAgent\`, whose
\`restartService\` tool waits for a person's approval, and default-exports the \`Agent\` that the
\`kestrion\` commands drive. With no API key it answers with a scripted model; set
\`ANTHROPIC_API_KEY\` or \`OPENAI_API_KEY\` for a real one (\`src/model.ts\`).

\`\`\`sh
npm install
npm test                                   # kestrion compile, then jest: run -> approve -> resume
npx kestrion run src/agent.ts "Restart checkout"       # exits 3: waiting for approval
npx kestrion approve <runId> --agent src/agent.ts --as you
npx kestrion resume <runId> --agent src/agent.ts       # exits 0: completed
npx kestrion trace <runId>
\`\`\`

Runs are kept in \`./kestrion.db\` (SQLite) unless \`--store\` or \`KESTRION_STORE\` names another
store (\`postgres://...\`). \`npm run build\` writes \`kestrion.manifest.json\` (the tools' schemas,
from the TypeScript types) and \`dist/\`; \`kestrion deploy --target k8s --image <ref>\` writes
Kubernetes manifests and a Dockerfile for workers running \`dist/agent.js\`.
${
  local
    ? `
The Kestrion packages come from \`vendor/\`: tarballs packed from a Kestrion checkout by
\`kestrion init --local\`, until they are published. Keep \`vendor/\` with the project.
`
    : ''
}`;
}
