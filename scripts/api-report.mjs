// The public API of every published entry, as api-extractor sees it in the built .d.ts files,
// written to api/<entry>.api.md. `npm run api` rewrites the reports; `npm run api:check`
// (part of `npm test`) fails when the built surface differs from the committed report, so
// every change to a public API shows up in review as a diff of api/.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

/** [report name, package folder, entry .d.ts relative to the package]. */
const ENTRIES = [
  ['core', 'packages/core', 'dist/index.d.ts'],
  ['core-store-kit', 'packages/core', 'dist/store-kit.d.ts'],
  ['core-provider-kit', 'packages/core', 'dist/provider-kit.d.ts'],
  ['store', 'packages/store', 'dist/index.d.ts'],
  ['agent', 'packages/agent', 'dist/index.d.ts'],
  ['anthropic', 'packages/anthropic', 'dist/index.d.ts'],
  ['openai', 'packages/openai', 'dist/index.d.ts'],
  ['ollama', 'packages/ollama', 'dist/index.d.ts'],
  ['testing', 'packages/testing', 'dist/index.d.ts'],
  ['scheduler', 'packages/scheduler', 'dist/index.d.ts'],
  ['mcp', 'packages/mcp', 'dist/index.d.ts'],
  ['compiler', 'compiler', 'dist/index.d.ts'],
  ['kestrion', 'packages/cli', 'dist/index.d.ts'],
];

const base = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions;
let changed = [];
let failed = false;
const started = Date.now();
for (const [name, folder, entry] of ENTRIES) {
  const projectFolder = join(root, folder);
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder,
      mainEntryPointFilePath: join(projectFolder, entry),
      compiler: {
        overrideTsconfig: {
          compilerOptions: { ...base, declarationMap: false, sourceMap: false, noEmit: true },
          include: [join(projectFolder, 'dist')],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: `${name}.api.md`,
        reportFolder: join(root, 'api'),
        reportTempFolder: join(root, 'node_modules', '.cache', 'api-report'),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
        // TSDoc style is not what this report is for; the surface is.
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.None },
          'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
        },
      },
    },
    configObjectFullPath: join(projectFolder, 'api-extractor.json'),
    packageJsonFullPath: join(projectFolder, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: !check,
    showVerboseMessages: false,
    messageCallback: (m) => {
      // Warnings about unresolvable imports would hide real problems; print them all.
      if (m.logLevel === ExtractorLogLevel.Error || m.logLevel === ExtractorLogLevel.Warning) {
        console.error(`api-report ${name}: ${m.text}`);
        m.handled = true;
      } else m.handled = true;
    },
  });
  if (result.apiReportChanged) changed.push(`api/${name}.api.md`);
  if (!result.succeeded && !result.apiReportChanged) failed = true;
  process.stdout.write(
    `api-report: ${name} ${result.apiReportChanged ? (check ? 'DIFFERS' : 'updated') : 'ok'}\n`,
  );
}
const took = ((Date.now() - started) / 1000).toFixed(1);
if (check && changed.length > 0) {
  console.error(
    `\nThe public API changed (${changed.join(', ')}). If the change is intended, run \`npm run api\` and commit api/; otherwise undo it. (${took} s)`,
  );
  process.exit(1);
}
if (failed) {
  console.error(`\napi-report: api-extractor failed (see above). (${took} s)`);
  process.exit(1);
}
console.log(
  `api-report: ${ENTRIES.length} entries ${check ? 'match their reports' : 'written'} in ${took} s`,
);
