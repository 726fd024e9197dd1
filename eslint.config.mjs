// Lint once at the root. Package boundaries (docs/architecture.md) are enforced here and,
// independently, by packages/core/test/architecture.test.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The packages throw only KestrionError subclasses (docs/errors.md): a caller tells errors
// apart with instanceof and maps them by code, which a plain Error does not have.
const NO_PLAIN_ERRORS = [
  {
    selector: "NewExpression[callee.name='Error'], CallExpression[callee.name='Error']",
    message:
      'Throw a KestrionError subclass from packages/core/src/errors (docs/errors.md), not a plain Error.',
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '**/test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Before core's block, which repeats these with its own (a later block's rule replaces it).
    // The test kit is left out: its harnesses report test failures, not errors a user handles.
    files: ['packages/*/src/**/*.ts', 'compiler/src/**/*.ts'],
    ignores: ['packages/testing/**'],
    rules: { 'no-restricted-syntax': ['error', ...NO_PLAIN_ERRORS] },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@kestrion/*'],
              message: 'core imports no other Kestrion package (docs/architecture.md).',
            },
            {
              group: ['kysely', 'pg', 'better-sqlite3', 'ajv', '@anthropic-ai/*', 'openai'],
              message: 'core has no runtime dependencies; take it through a port.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Time comes from the Clock port.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Randomness comes from the Ids port.',
        },
        ...NO_PLAIN_ERRORS,
      ],
    },
  },
  {
    // Committed CommonJS bin shims (they exist before dist/ is built, so npm links them at install).
    files: ['**/bin/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
