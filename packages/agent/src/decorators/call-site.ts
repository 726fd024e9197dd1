import * as path from 'node:path';

const OWN_DIR = path.resolve(__dirname, '..');

/**
 * The file of the first stack frame outside this package: the module that applied a decorator.
 * `toolsOf` starts its search for `kestrion.manifest.json` there. Undefined when the stack
 * carries no file names (bundled or eval'd code).
 */
export function decoratorCallSite(): string | undefined {
  // Captures the stack without creating an Error (nothing is thrown here).
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, decoratorCallSite);
  const stack = holder.stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?(?:\/|[A-Za-z]:[\\/])[^():]+):\d+:\d+\)?\s*$/.exec(line);
    const file = match?.[1]?.replace(/^file:\/\//, '');
    if (
      file === undefined ||
      file.startsWith(OWN_DIR + path.sep) ||
      file.includes(`${path.sep}node_modules${path.sep}reflect-metadata`)
    )
      continue;
    return file;
  }
  return undefined;
}
