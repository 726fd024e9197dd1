/** The command a user runs to (re)generate the tool manifest; every manifest error names it. */
export const COMPILE_COMMAND = 'npx kestrion-compile --project tsconfig.json';

/** The manifest's default file name, written beside the tsconfig and looked up at runtime. */
export const MANIFEST_FILE_NAME = 'kestrion.manifest.json';

/** Environment variable naming the manifest file explicitly. */
export const MANIFEST_ENV_VAR = 'KESTRION_MANIFEST';
