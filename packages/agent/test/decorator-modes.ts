import * as ts from 'typescript';
import * as agentModule from '../src/index';

/** The two ways users compile decorators. */
export const DECORATOR_MODES = {
  legacy: { experimentalDecorators: true, emitDecoratorMetadata: true },
  standard: { experimentalDecorators: false },
} as const;

export type DecoratorMode = keyof typeof DECORATOR_MODES;

/**
 * Compiles a snippet that imports from '@kestrion/agent' under one decorator mode, runs it and
 * returns its exports. The import is served by this package's sources.
 */
export function runSnippet(source: string, mode: DecoratorMode): Record<string, unknown> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      ...DECORATOR_MODES[mode],
    },
  });
  const moduleExports: Record<string, unknown> = {};
  const fakeRequire = (id: string): unknown => {
    if (id === '@kestrion/agent') return agentModule;
    throw new Error(`unexpected import ${id}`);
  };
  new Function('require', 'exports', 'module', outputText)(fakeRequire, moduleExports, {
    exports: moduleExports,
  });
  return moduleExports;
}
