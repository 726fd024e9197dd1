import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';

/** The package whose `tool` export marks tool methods. */
export const AGENT_PACKAGE = '@kestrion/agent';

const packageNameByDir = new Map<string, string | undefined>();

/** The `name` of the nearest package.json above a file (cached per directory). */
export function packageNameOf(fileName: string): string | undefined {
  const seen: string[] = [];
  let dir = path.dirname(fileName);
  let name: string | undefined;
  for (;;) {
    if (packageNameByDir.has(dir)) {
      name = packageNameByDir.get(dir);
      break;
    }
    seen.push(dir);
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        name = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name;
      } catch {
        name = undefined;
      }
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of seen) packageNameByDir.set(d, name);
  return name;
}

/** Follows import/export aliases to the symbol that declares the value. */
export function resolveAlias(symbol: ts.Symbol, checker: ts.TypeChecker): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * True when `symbol` (after aliases: `import { tool as t }`, re-exports, namespace imports) is
 * the `tool` function declared by the `@kestrion/agent` package, wherever it was installed from
 * (its sources, its `dist/*.d.ts`). A different function that happens to be called `tool` is not.
 */
export function isKestrionSymbol(
  symbol: ts.Symbol | undefined,
  exportName: string,
  checker: ts.TypeChecker,
): boolean {
  if (symbol === undefined) return false;
  const target = resolveAlias(symbol, checker);
  if (target.getName() !== exportName) return false;
  return (target.declarations ?? []).some((d) => packageNameOf(d.getSourceFile().fileName) === AGENT_PACKAGE);
}

/** True when a parameter's type is `ToolContext` from `@kestrion/agent` (passed by the runtime, not by the model). */
export function isToolContextType(type: ts.Type, checker: ts.TypeChecker): boolean {
  const members = type.isUnion()
    ? type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)))
    : [type];
  if (members.length !== 1) return false;
  const only = members[0] as ts.Type;
  const symbol = only.aliasSymbol ?? only.getSymbol();
  return symbol !== undefined && isKestrionSymbol(symbol, 'ToolContext', checker);
}
