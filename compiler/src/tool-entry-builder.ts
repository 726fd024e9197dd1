import { ts } from 'ts-morph';
import { relativePath, type CompileDiagnostic } from './compile-diagnostic';
import type { ToolMethod } from './find-tool-methods';
import type { Json, JsonObject, ToolManifestEntry } from './json-types';
import { isToolContextType } from './kestrion-tool-symbol';
import { symbolDocs } from './schema/doc-reader';
import { parseDocComment, type DocAnnotations } from './schema/jsdoc-annotations';
import type { SchemaIssue } from './schema/schema-issue';
import { includesUndefined, TypeSchemaBuilder } from './schema/type-schema-builder';
import { entryHash, signatureHash } from './signature-hash';

/** Schemas of types already built during one compilation, per mode. */
export interface SchemaCaches {
  parameters: Map<ts.Type, JsonObject>;
  returns: Map<ts.Type, JsonObject>;
}

/**
 * Builds the manifest entry of one tool method: description, the arguments-object schema (one
 * property per parameter, in declaration order), the return schema (`Promise` unwrapped) and
 * the signature hash. Problems are appended to `diagnostics`; the entry is still returned so
 * one run reports every problem of every tool.
 */
export function buildToolEntry(
  tool: ToolMethod,
  checker: ts.TypeChecker,
  rootDir: string,
  diagnostics: CompileDiagnostic[],
  caches: SchemaCaches = { parameters: new Map(), returns: new Map() },
): ToolManifestEntry {
  const { method } = tool;
  const key = `${tool.className}.${(method.name as ts.Identifier).text}`;
  const sourceFile = method.getSourceFile();
  const diagnose = (node: ts.Node, message: string, fix: string, parameter?: string): void => {
    diagnostics.push({ ...position(node, rootDir), tool: key, parameter, message, fix });
  };
  const reportIssue = (node: ts.Node) => (issue: SchemaIssue) => {
    const elsewhere = issue.declaration !== undefined && issue.declaration.getSourceFile() !== sourceFile;
    const at = elsewhere ? position(issue.declaration as ts.Node, rootDir) : undefined;
    const message =
      at === undefined ? issue.message : `${issue.message} (declared at ${at.file}:${at.line}:${at.column})`;
    diagnose(node, message, issue.fix, issue.path);
  };

  let currentParam: ts.ParameterDeclaration | undefined;
  const params = new TypeSchemaBuilder(
    checker,
    'parameters',
    (issue) => reportIssue(currentParam ?? method)(issue),
    caches.parameters,
  );
  const properties: JsonObject = {};
  const required: string[] = [];
  const signatureParts: Json[] = [];
  method.parameters.forEach((param, index) => {
    currentParam = param;
    const type = checker.getTypeAtLocation(param);
    if (index === method.parameters.length - 1 && isToolContextType(type, checker)) return;
    if (!ts.isIdentifier(param.name)) {
      diagnose(
        param,
        'destructured parameters have no name for the model',
        'take a named parameter (`opts: Options`) and destructure it in the body',
        `#${index + 1}`,
      );
      return;
    }
    const name = param.name.text;
    if (param.dotDotDotToken !== undefined) {
      diagnose(
        param,
        'a rest parameter cannot be one named argument',
        'take an array parameter instead (`items: T[]`)',
        name,
      );
      return;
    }
    const optional =
      param.questionToken !== undefined || param.initializer !== undefined || includesUndefined(type);
    const schema = { ...params.schemaOf(type, name) };
    params.annotateDeclared(schema, type, param.type, name);
    for (const docs of parameterDocs(param, sourceFile)) params.annotate(schema, docs, name);
    properties[name] = schema;
    if (!optional) required.push(name);
    signatureParts.push([name, optional, param.type?.getText(sourceFile) ?? '(inferred)']);
  });
  currentParam = undefined;

  const parameters: JsonObject = { type: 'object', properties };
  if (required.length > 0) parameters.required = required;
  parameters.additionalProperties = false;
  const paramDefs = params.definitions();
  if (paramDefs !== undefined) parameters.$defs = paramDefs;

  const returnsBuilder = new TypeSchemaBuilder(
    checker,
    'returns',
    reportIssue(method.type ?? method.name),
    caches.returns,
  );
  const signature = checker.getSignatureFromDeclaration(method);
  const returnType = signature === undefined ? undefined : checker.getReturnTypeOfSignature(signature);
  const awaited = returnType === undefined ? undefined : (checker.getAwaitedType(returnType) ?? returnType);
  let returns: JsonObject = awaited === undefined ? {} : { ...returnsBuilder.schemaOf(awaited, '(returns)') };
  const returnDefs = returnsBuilder.definitions();
  if (returnDefs !== undefined) returns = { ...returns, $defs: returnDefs };

  const methodSymbol = checker.getSymbolAtLocation(method.name);
  const description =
    tool.options.description ??
    (methodSymbol === undefined ? undefined : symbolDocs(methodSymbol, checker).description) ??
    '';
  const returnText = method.type?.getText(sourceFile) ?? '(inferred)';
  const { line } = sourceFile.getLineAndCharacterOfPosition(method.name.getStart(sourceFile));
  const entry: Omit<ToolManifestEntry, 'entryHash'> = {
    name: tool.options.name ?? (method.name as ts.Identifier).text,
    description,
    parameters,
    returns,
    signatureHash: signatureHash({
      parameters: signatureParts,
      returns: returnText,
      schemas: [parameters, returns],
    }),
    source: `${relativePath(rootDir, sourceFile.fileName)}:${line + 1}`,
  };
  return { ...entry, entryHash: entryHash(entry) };
}

/** `@param name text` from the method's JSDoc, then a `/** … *\/` block right before the parameter (which wins). */
function parameterDocs(param: ts.ParameterDeclaration, sourceFile: ts.SourceFile): DocAnnotations[] {
  const docs: DocAnnotations[] = [];
  for (const tag of ts.getJSDocParameterTags(param)) {
    const text = ts.getTextOfJSDocComment(tag.comment)?.replace(/^-\s*/, '').trim();
    if (text !== undefined && text !== '') docs.push({ description: text, tags: [] });
  }
  const ranges = ts.getLeadingCommentRanges(sourceFile.text, param.pos) ?? [];
  for (const range of ranges) {
    const text = sourceFile.text.slice(range.pos, range.end);
    if (range.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith('/**'))
      docs.push(parseDocComment(text));
  }
  return docs;
}

function position(node: ts.Node, rootDir: string): Pick<CompileDiagnostic, 'file' | 'line' | 'column'> {
  const sourceFile = node.getSourceFile();
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
  return { file: relativePath(rootDir, sourceFile.fileName), line: line + 1, column: character + 1 };
}
