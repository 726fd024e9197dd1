import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystemRefreshResult, Project, ts } from 'ts-morph';
import { relativePath, type CompileDiagnostic } from './compile-diagnostic';
import { findToolMethods } from './find-tool-methods';
import type { ToolManifest, ToolManifestEntry } from './json-types';
import { buildToolEntry } from './tool-entry-builder';

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
    const file = path.resolve(tsConfigFilePath);
    if (!fs.existsSync(file)) throw new Error(`tsconfig not found: ${file}`);
    return new ManifestCompiler(new Project({ tsConfigFilePath: file }), path.dirname(file));
  }

  /** Builds the manifest of every `@tool` method in the program. Tools are sorted by key. */
  compile(): CompileResult {
    const started = performance.now();
    const program = this.project.getProgram().compilerObject;
    const checker = program.getTypeChecker();
    const diagnostics: CompileDiagnostic[] = [];
    const methods = findToolMethods(program, checker, (p) =>
      diagnostics.push({ ...this.position(p.node), tool: p.tool, message: p.message, fix: p.fix }),
    );
    const entries = new Map<string, ToolManifestEntry>();
    const caches = { parameters: new Map(), returns: new Map() };
    for (const method of methods) {
      const key = `${method.className}.${(method.method.name as ts.Identifier).text}`;
      const entry = buildToolEntry(method, checker, this.rootDir, diagnostics, caches);
      const clash = entries.get(key);
      if (clash !== undefined)
        diagnostics.push({
          ...this.position(method.method.name),
          tool: key,
          message: `another class named ${method.className} already has tool ${key} (${clash.source})`,
          fix: 'give one of the classes a different name',
        });
      else entries.set(key, entry);
    }
    const tools: Record<string, ToolManifestEntry> = {};
    for (const key of [...entries.keys()].sort()) tools[key] = entries.get(key) as ToolManifestEntry;
    diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    return { manifest: { version: 1, tools }, diagnostics, durationMs: performance.now() - started };
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

  private position(node: ts.Node): Pick<CompileDiagnostic, 'file' | 'line' | 'column'> {
    const sourceFile = node.getSourceFile();
    const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    return { file: relativePath(this.rootDir, sourceFile.fileName), line: line + 1, column: character + 1 };
  }
}
