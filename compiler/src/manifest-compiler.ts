import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystemRefreshResult, Project, ts } from 'ts-morph';
import { CompilerConfigError, relativePath, type CompileDiagnostic } from './compile-diagnostic';
import { findToolMethods, type ToolMethod } from './find-tool-methods';
import type { ToolManifest, ToolManifestEntry } from './json-types';
import { buildToolEntry } from './tool-entry-builder';
import { suggestToolName, TOOL_NAME_PATTERN, toolNameProblem } from './tool-name';

/** The outcome of one compilation: the manifest (as far as it could be built) and every problem. */
export interface CompileResult {
  manifest: ToolManifest;
  diagnostics: CompileDiagnostic[];
  durationMs: number;
}

/** What happened to a file the watcher saw change. */
export type RefreshOutcome = 'updated' | 'added' | 'deleted' | 'unchanged' | 'ignored';

/**
 * One ts-morph project and the means to compile its tool manifest, again and again: after a
 * file changes, {@link ManifestCompiler.refreshFile} re-reads just that file into the same
 * project and the next {@link ManifestCompiler.compile} reuses the rest of the program.
 */
export class ManifestCompiler {
  /** The directory of the tsconfig: manifest `source` paths are relative to it. */
  readonly rootDir: string;

  constructor(
    readonly project: Project,
    rootDir: string,
  ) {
    this.rootDir = path.resolve(rootDir);
  }

  /** A compiler for the project a tsconfig.json describes. */
  static fromTsConfig(tsConfigFilePath: string): ManifestCompiler {
    const file = checkTsConfigPath(tsConfigFilePath);
    let project: Project;
    try {
      project = new Project({ tsConfigFilePath: file });
    } catch (cause) {
      throw new CompilerConfigError(
        `cannot read the tsconfig ${file}: ${(cause as Error).message}`,
        'fix the tsconfig (`tsc -p` reports the same problem)',
        { cause },
      );
    }
    return new ManifestCompiler(project, path.dirname(file));
  }

  /** Builds the manifest of every `@tool` method in the program. Tools are sorted by key. */
  compile(): CompileResult {
    return this.compileProgram(this.project.getProgram().compilerObject);
  }

  /**
   * Builds the manifest of every `@tool` method of a TypeScript program (the watcher passes the
   * programs of TypeScript's own watch API). `source` paths are relative to {@link rootDir}.
   */
  compileProgram(program: ts.Program): CompileResult {
    return compileProgram(program, this.rootDir);
  }

  /** Re-reads one changed (or new, or deleted) source file into the project. */
  refreshFile(fileName: string): RefreshOutcome {
    const file = path.resolve(fileName);
    const existing = this.project.getSourceFile(file);
    const exists = fs.existsSync(file);
    if (existing !== undefined) {
      if (!exists) {
        this.project.removeSourceFile(existing);
        return 'deleted';
      }
      return existing.refreshFromFileSystemSync() === FileSystemRefreshResult.NoChange
        ? 'unchanged'
        : 'updated';
    }
    if (
      !exists ||
      !/\.(c|m)?tsx?$/.test(file) ||
      file.endsWith('.d.ts') ||
      file.includes(`${path.sep}node_modules${path.sep}`)
    )
      return 'ignored';
    this.project.addSourceFileAtPath(file);
    return 'added';
  }
}

function toolKey(method: ToolMethod): string {
  return `${method.className}.${(method.method.name as ts.Identifier).text}`;
}

/**
 * Builds the manifest of every `@tool` method of a TypeScript program. Tools are sorted by key;
 * `source` paths and diagnostics are relative to `rootDir`.
 */
export function compileProgram(program: ts.Program, rootDir: string): CompileResult {
  const started = performance.now();
  const checker = program.getTypeChecker();
  // Like tsc: syntax errors first, and only them. The tree of a file that does not parse is
  // TypeScript's guess, and reading tools out of it reports nonsense (a parameter list cut
  // short by a missing `)` looks like a destructured parameter).
  const diagnostics = syntaxDiagnostics(program, rootDir);
  if (diagnostics.length > 0)
    return { manifest: { version: 2, tools: {} }, diagnostics, durationMs: performance.now() - started };
  const methods = findToolMethods(program, checker, (p) =>
    diagnostics.push({ ...position(rootDir, p.node), tool: p.tool, message: p.message, fix: p.fix }),
  );
  const entries = new Map<string, { entry: ToolManifestEntry; method: ToolMethod }>();
  /** Per class declaration: the tool names models will see, and the method that took each. */
  const namesByClass = new Map<ts.Node, Map<string, ToolMethod>>();
  const caches = { parameters: new Map(), returns: new Map() };
  for (const method of methods) {
    const key = toolKey(method);
    const entry = buildToolEntry(method, checker, rootDir, diagnostics, caches);
    const nameProblem = toolNameProblem(entry.name);
    if (nameProblem !== undefined) {
      const fromOption = method.options.name !== undefined;
      diagnostics.push({
        ...position(rootDir, method.nameNode ?? method.method.name),
        tool: key,
        message: `tool name ${JSON.stringify(entry.name)} ${nameProblem}; model providers (Anthropic, OpenAI) accept only names matching ${TOOL_NAME_PATTERN.source}`,
        fix: fromOption
          ? `write @tool({ name: '${suggestToolName(entry.name)}' })`
          : `rename the method or set @tool({ name: '${suggestToolName(entry.name)}' })`,
      });
    }
    const cls = method.method.parent;
    const names = namesByClass.get(cls) ?? new Map<string, ToolMethod>();
    namesByClass.set(cls, names);
    const sameName = names.get(entry.name);
    if (sameName !== undefined && sameName.method !== method.method)
      diagnostics.push({
        ...position(rootDir, method.nameNode ?? method.method.name),
        tool: key,
        message: `tool name ${JSON.stringify(entry.name)} is already taken by ${toolKey(sameName)} (${location(rootDir, sameName.nameNode ?? sameName.method.name)}) in the same class; a model could not tell the two apart`,
        fix: `give one of them another name with @tool({ name: '...' })`,
      });
    else if (sameName === undefined) names.set(entry.name, method);
    const clash = entries.get(key);
    if (clash === undefined) entries.set(key, { entry, method });
    else if (clash.method.method === method.method)
      diagnostics.push({
        ...position(rootDir, method.method.name),
        tool: key,
        message: 'the method carries `@tool` twice',
        fix: 'remove one of the decorators',
      });
    else if (clash.method.method.parent === cls)
      diagnostics.push({
        ...position(rootDir, method.method.name),
        tool: key,
        message: `the class declares ${key} twice (also at ${clash.entry.source})`,
        fix: 'remove or rename one of the methods',
      });
    else
      diagnostics.push({
        ...position(rootDir, method.method.name),
        tool: key,
        message: `another class named ${method.className} already has tool ${key} (${clash.entry.source})`,
        fix: 'give one of the classes a different name',
      });
  }
  const tools: Record<string, ToolManifestEntry> = {};
  for (const key of [...entries.keys()].sort())
    tools[key] = (entries.get(key) as { entry: ToolManifestEntry }).entry;
  diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { manifest: { version: 2, tools }, diagnostics, durationMs: performance.now() - started };
}

/** TypeScript's syntax errors in the project's own files (not the default libs or node_modules). */
function syntaxDiagnostics(program: ts.Program, rootDir: string): CompileDiagnostic[] {
  const found: CompileDiagnostic[] = [];
  for (const sourceFile of program.getSourceFiles()) {
    if (program.isSourceFileDefaultLibrary(sourceFile) || program.isSourceFileFromExternalLibrary(sourceFile))
      continue;
    if (/[\\/]node_modules[\\/]/.test(sourceFile.fileName)) continue;
    for (const d of program.getSyntacticDiagnostics(sourceFile)) {
      const { line, character } = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
      found.push({
        file: relativePath(rootDir, sourceFile.fileName),
        line: line + 1,
        column: character + 1,
        message: `syntax error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\.$/, '')}`,
        fix: 'correct the syntax (`tsc --noEmit` reports the same error); tools are read once the file parses',
      });
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/**
 * The absolute path of a tsconfig file. Throws {@link CompilerConfigError} when it is missing
 * or a directory.
 */
export function checkTsConfigPath(tsConfigFilePath: string): string {
  const file = path.resolve(tsConfigFilePath);
  if (!fs.existsSync(file))
    throw new CompilerConfigError(
      `tsconfig not found: ${file}`,
      "pass the project's tsconfig.json with --project (or `project`)",
    );
  if (fs.statSync(file).isDirectory())
    throw new CompilerConfigError(
      `--project ${file} is a directory`,
      `pass the tsconfig file itself, e.g. ${path.join(file, 'tsconfig.json')}`,
    );
  return file;
}

function location(rootDir: string, node: ts.Node): string {
  const { file, line } = position(rootDir, node);
  return `${file}:${line}`;
}

function position(rootDir: string, node: ts.Node): Pick<CompileDiagnostic, 'file' | 'line' | 'column'> {
  const sourceFile = node.getSourceFile();
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
  return { file: relativePath(rootDir, sourceFile.fileName), line: line + 1, column: character + 1 };
}
