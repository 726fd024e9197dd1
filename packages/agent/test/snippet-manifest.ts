import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ToolManifest } from '@kestrion/core';
import { formatDiagnostic, ManifestCompiler } from '@kestrion/compiler';

const REPO = path.resolve(__dirname, '..', '..', '..');

/**
 * The manifest the real kestrion-compile writes for one source file importing
 * '@kestrion/agent' (served by this repo's sources). Throws on any diagnostic.
 */
export function compileSnippetManifest(source: string): ToolManifest {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ka-snippet-'));
  try {
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'agent.ts'), source);
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
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
        include: ['src'],
      }),
    );
    const result = ManifestCompiler.fromTsConfig(path.join(dir, 'tsconfig.json')).compile();
    if (result.diagnostics.length > 0)
      throw new Error(
        `the snippet does not compile:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`,
      );
    return result.manifest;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
