import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';

const source = readFileSync(join(__dirname, '..', '..', 'src', 'util', 'async-dispose.ts'), 'utf8');
const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;

describe('Symbol.asyncDispose on a Node that lacks it', () => {
  it('is defined as the symbol Node defines (a fresh realm has none until the module runs)', () => {
    const realm = { exports: {} };
    expect(runInNewContext('typeof Symbol.asyncDispose', realm)).toBe('undefined');
    runInNewContext(js, realm);
    // The registry is shared across realms: the same symbol as this Node's own.
    expect(runInNewContext('Symbol.asyncDispose', realm)).toBe(Symbol.asyncDispose);
    expect(Symbol.keyFor(Symbol.asyncDispose)).toBe('nodejs.asyncDispose');
  });
});
