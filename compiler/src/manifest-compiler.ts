import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystemRefreshResult, Project, ts } from 'ts-morph';
import { CompilerConfigError, relativePath, type CompileDiagnostic } from './compile-diagnostic';
import { findAgents, type AgentClass } from './find-agents';
import { findToolMethods, type FinderProblem, type ToolMethod } from './find-tool-methods';
import type { ToolManifest, ToolManifestEntry } from './json-types';
import { MANIFEST_VERSION } from './manifest-file';
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

function methodKey(method: ToolMethod): string {
  return `${method.className}.${(method.method.name as ts.Identifier).text}`;
}

function methodName(method: ToolMethod): string {
  return (method.method.name as ts.Identifier).text;
}

/**
 * Builds the manifest of every `@tool` method of a TypeScript program. Tools are keyed
 * `<agent id>.<method>` (see {@link findAgents}) and sorted by key; `source` paths and
 * diagnostics are relative to `rootDir`. Diagnostics about one method name it `Class.method`,
 * where it is written.
 */
export function compileProgram(program: ts.Program, rootDir: string): CompileResult {
  const started = performance.now();
  const checker = program.getTypeChecker();
  // Like tsc: syntax errors first, and only them. The tree of a file that does not parse is
  // TypeScript's guess, and reading tools out of it reports nonsense (a parameter list cut
  // short by a missing `)` looks like a destructured parameter).
  const diagnostics = syntaxDiagnostics(program, rootDir);
  const done = (tools: Record<string, ToolManifestEntry>): CompileResult => ({
    manifest: { version: MANIFEST_VERSION, tools },
    diagnostics: dedupe(diagnostics),
    durationMs: performance.now() - started,
  });
  if (diagnostics.length > 0) return done({});
  const report = (p: FinderProblem): void =>
    void diagnostics.push({ ...position(rootDir, p.node), tool: p.tool, message: p.message, fix: p.fix });
  const methods = findToolMethods(program, checker, report);
  const built = buildEntries(methods, checker, rootDir, diagnostics);
  const agents = findAgents(program, checker, methods, report);
  const byId = new Map<string, AgentClass>();
  const tools: Record<string, ToolManifestEntry> = {};
  for (const agent of agents) {
    const clash = byId.get(agent.id);
    if (clash !== undefined) {
      diagnostics.push({
        ...position(rootDir, agent.idNode),
        message: `agent id ${JSON.stringify(agent.id)} of class ${agent.className} is already the id of class ${clash.className} (${location(rootDir, clash.idNode)}); the manifest keys tools by it, so the runtime could not tell the two apart`,
        fix: `give one of the classes its own id with @agent({ name: '...' })`,
      });
      continue;
    }
    byId.set(agent.id, agent);
    checkToolNames(agent, built, rootDir, diagnostics);
    for (const method of agent.tools) {
      const entry = built.get(method.method);
      if (entry !== undefined) tools[`${agent.id}.${methodName(method)}`] = entry;
    }
  }
  const sorted: Record<string, ToolManifestEntry> = {};
  for (const key of Object.keys(tools).sort()) sorted[key] = tools[key] as ToolManifestEntry;
  diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return done(sorted);
}

/** One entry per decorated method (an inherited tool is built once, listed under each agent). */
function buildEntries(
  methods: readonly ToolMethod[],
  checker: ts.TypeChecker,
  rootDir: string,
  diagnostics: CompileDiagnostic[],
): Map<ts.MethodDeclaration, ToolManifestEntry> {
  const built = new Map<ts.MethodDeclaration, ToolManifestEntry>();
  /** Per class declaration, the method declarations by name: a name declared twice is a problem. */
  const byClass = new Map<ts.Node, Map<string, ToolMethod>>();
  const caches = { parameters: new Map(), returns: new Map() };
  for (const method of methods) {
    const key = methodKey(method);
    if (built.has(method.method)) {
      diagnostics.push({
        ...position(rootDir, method.method.name),
        tool: key,
        message: 'the method carries `@tool` twice',
        fix: 'remove one of the decorators',
      });
      continue;
    }
    const declared = byClass.get(method.method.parent) ?? new Map<string, ToolMethod>();
    byClass.set(method.method.parent, declared);
    const twin = declared.get(methodName(method));
    if (twin !== undefined) {
      diagnostics.push({
        ...position(rootDir, method.method.name),
        tool: key,
        message: `the class declares ${key} twice (also at ${location(rootDir, twin.method.name)})`,
        fix: 'remove or rename one of the methods',
      });
      continue;
    }
    declared.set(methodName(method), method);
    const entry = buildToolEntry(method, checker, rootDir, diagnostics, caches);
    built.set(method.method, entry);
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
  }
  return built;
}

/** Two tools of one agent (its own or inherited) with the same model-facing name. */
function checkToolNames(
  agent: AgentClass,
  built: ReadonlyMap<ts.MethodDeclaration, ToolManifestEntry>,
  rootDir: string,
  diagnostics: CompileDiagnostic[],
): void {
  const taken = new Map<string, ToolMethod>();
  // Base-class tools come first, so a clash is reported at the method that came later.
  for (const method of agent.tools) {
    const entry = built.get(method.method);
    if (entry === undefined) continue;
    const sameName = taken.get(entry.name);
    if (sameName?.method === method.method) continue; // `@tool` twice on it: reported already
    if (sameName === undefined) {
      taken.set(entry.name, method);
      continue;
    }
    const where = sameName.className === method.className ? 'in the same class' : `in agent ${agent.id}`;
    diagnostics.push({
      ...position(rootDir, method.nameNode ?? method.method.name),
      tool: methodKey(method),
      message: `tool name ${JSON.stringify(entry.name)} is already taken by ${methodKey(sameName)} (${location(rootDir, sameName.nameNode ?? sameName.method.name)}) ${where}; a model could not tell the two apart`,
      fix: `give one of them another name with @tool({ name: '...' })`,
    });
  }
}

/** The same problem reported twice (a base class's clash seen from each subclass) is shown once. */
function dedupe(diagnostics: CompileDiagnostic[]): CompileDiagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify([d.file, d.line, d.column, d.tool, d.parameter, d.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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
