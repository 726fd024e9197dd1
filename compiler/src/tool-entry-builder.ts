import { ts } from 'ts-morph';
import { relativePath, type CompileDiagnostic } from './compile-diagnostic';
import type { ToolMethod } from './find-tool-methods';
import type { Json, JsonObject, ToolManifestEntry } from './json-types';
import { isToolContextType } from './kestrion-tool-symbol';
import { symbolDocs } from './schema/doc-reader';
import { docsOfJsDoc, docTagOf, type DocAnnotations, type DocTag } from './schema/jsdoc-annotations';
import { closestName, isConstraintTag, isKnownTag, unknownTagProblem } from './schema/jsdoc-tags';
import type { SchemaIssue } from './schema/schema-issue';
import { includesUndefined, TypeSchemaBuilder } from './schema/type-schema-builder';
import { canonicalJson, entryHash, signatureHash } from './signature-hash';

/** Schemas of types already built during one compilation, per mode. */
export interface SchemaCaches {
  parameters: Map<ts.Type, JsonObject>;
  returns: Map<ts.Type, JsonObject>;
}

/**
 * Builds the manifest entry of one tool method: description, the arguments-object schema (one
 * property per parameter, in declaration order), the argument names in that order and the
 * position of the `ToolContext` (what the runtime maps the model's arguments by), the return
 * schema (`Promise` unwrapped) and the signature hash. Problems are appended to `diagnostics`; the entry is still returned so
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
    if (issue.at !== undefined) return diagnose(issue.at, issue.message, issue.fix, issue.path || undefined);
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
  /** The model's arguments in declaration order: the runtime passes them by this list. */
  const argumentNames: string[] = [];
  const required: string[] = [];
  const signatureParts: Json[] = [];
  const parameterNames = method.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : []));
  const methodDocs = methodParameterDocs(method, key, parameterNames);
  for (const problem of methodDocs.problems)
    diagnose(problem.node, problem.message, problem.fix, problem.parameter);
  /** Where the ToolContext parameter is, if the method takes one. */
  let contextIndex: number | null = null;
  method.parameters.forEach((param, index) => {
    currentParam = param;
    const type = checker.getTypeAtLocation(param);
    if (isToolContextType(type, checker)) {
      // The runtime passes the context at this position; the model never sees it.
      if (contextIndex === null) contextIndex = index;
      else
        diagnose(
          param,
          `a tool takes at most one ToolContext (parameter #${contextIndex + 1} is one already)`,
          'remove this parameter and use the first one',
          ts.isIdentifier(param.name) ? param.name.text : `#${index + 1}`,
        );
      return;
    }
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
    let schema: JsonObject = { ...params.schemaOfNode(type, param.type, name) };
    const fromMethod = methodDocs.byParameter.get(name);
    if (fromMethod !== undefined) params.annotate(schema, fromMethod, name);
    const own = docsOfJsDoc(ts.getJSDocCommentsAndTags(param).filter(ts.isJSDoc));
    for (const conflict of conflictingTags(fromMethod, own))
      params.reportIssue({
        path: name,
        message: `@${conflict.name} is set twice for this parameter: \`@${conflict.name} ${conflict.before}\` in the method's JSDoc and \`@${conflict.name} ${conflict.text}\` here`,
        fix: 'keep one of the two tags',
        ...(conflict.node === undefined ? {} : { at: conflict.node }),
      });
    params.annotate(schema, own, name);
    for (const [path, docs] of methodDocs.nested.get(name) ?? [])
      schema = annotateNested(schema, path, docs, params, name);
    const initial = param.initializer === undefined ? undefined : initializerJson(param.initializer, checker);
    if (initial !== undefined) {
      if (schema.default !== undefined && canonicalJson(schema.default) !== canonicalJson(initial))
        params.reportIssue({
          path: name,
          message: `\`@default ${JSON.stringify(schema.default)}\` disagrees with the initializer \`${param.initializer?.getText(sourceFile) ?? ''}\``,
          fix: 'remove the @default tag: the initializer is the default',
          ...(param.initializer === undefined ? {} : { at: param.initializer }),
        });
      else schema.default = initial;
    }
    properties[name] = schema;
    argumentNames.push(name);
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
  let returns: JsonObject =
    awaited === undefined
      ? {}
      : { ...returnsBuilder.schemaOfNode(awaited, awaitedNode(method.type), '(returns)') };
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
    parameterNames: argumentNames,
    contextIndex,
    returns,
    signatureHash: signatureHash({
      parameters: signatureParts,
      contextIndex,
      returns: returnText,
      schemas: [parameters, returns],
    }),
    source: `${relativePath(rootDir, sourceFile.fileName)}:${line + 1}`,
  };
  return { ...entry, entryHash: entryHash(entry) };
}

/** A problem with the method's own JSDoc, at the tag. */
interface MethodDocProblem {
  node: ts.Node;
  message: string;
  fix: string;
  parameter?: string;
}

/** What a method's JSDoc says about its parameters. */
interface MethodParameterDocs {
  /** Per parameter: the `@param` text as description, and the constraint tags that belong to it. */
  byParameter: Map<string, DocAnnotations>;
  /** Per parameter: `@param opts.limit …` docs of properties inside it, by property path. */
  nested: Map<string, Map<string, DocAnnotations>>;
  problems: MethodDocProblem[];
}

/**
 * Reads the method's JSDoc. A constraint tag (`@minimum`, `@format`, `@default`, …) belongs to
 * the parameter it names first (`@minimum amount 1`), else to the `@param` it follows
 * (`@param amount The amount. @minimum 1`, or on the next line). A constraint tag before any
 * `@param`, a `@param` naming no parameter and an unknown tag are problems.
 */
function methodParameterDocs(
  method: ts.MethodDeclaration,
  key: string,
  parameterNames: readonly string[],
): MethodParameterDocs {
  const collected = new Map<string, { description?: string; tags: DocTag[] }>();
  const problems: MethodDocProblem[] = [];
  const entry = (path: string) => {
    let found = collected.get(path);
    if (found === undefined) collected.set(path, (found = { tags: [] }));
    return found;
  };
  /** The `@param` the following tags belong to; null after a `@param` that names no parameter. */
  let current: string | null | undefined;
  for (const tag of ts.getJSDocTags(method)) {
    const name = tag.tagName.text;
    if (ts.isJSDocParameterTag(tag)) {
      const path = tag.name.getText();
      const root = path.split('.')[0] ?? path;
      if (!parameterNames.includes(root)) {
        const close = closestName(root, parameterNames);
        problems.push({
          node: tag.name,
          message: `@param ${path} names no parameter of ${key} (parameters: ${parameterNames.join(', ') || 'none'})${close === undefined ? '' : `; did you mean \`${close}\`?`}`,
          fix:
            close === undefined
              ? 'name one of the parameters, or remove the @param'
              : `write \`@param ${[close, ...path.split('.').slice(1)].join('.')}\``,
        });
        current = null;
        continue;
      }
      current = path;
      const text = ts.getTextOfJSDocComment(tag.comment)?.replace(/^-\s*/, '').trim();
      if (text !== undefined && text !== '') entry(path).description = text;
      continue;
    }
    const docTag = docTagOf(tag);
    if (!isKnownTag(name)) {
      problems.push({ node: tag, ...unknownTagProblem(name) });
      continue;
    }
    if (!isConstraintTag(name)) continue;
    const [first = '', ...rest] = docTag.text.split(/\s+/);
    const named = parameterNames.includes(first) && (rest.length > 0 || name === 'integer');
    if (named) entry(first).tags.push({ ...docTag, text: docTag.text.slice(first.length).trim() });
    else if (typeof current === 'string') entry(current).tags.push(docTag);
    else if (current === undefined) {
      const example = parameterNames[0] ?? 'name';
      const written = `@${name}${docTag.text === '' ? '' : ` ${docTag.text}`}`;
      problems.push({
        node: tag,
        message: `\`${written}\` in the method's JSDoc does not say which parameter it constrains`,
        fix: `put it right after that parameter's @param (\`@param ${example} … ${written}\`), name the parameter (\`@${name} ${example}${docTag.text === '' ? '' : ` ${docTag.text}`}\`), or move it into a /** … */ block right before the parameter`,
      });
    }
  }
  const byParameter = new Map<string, DocAnnotations>();
  const nested = new Map<string, Map<string, DocAnnotations>>();
  for (const [path, docs] of collected) {
    const [root = path, ...inner] = path.split('.');
    if (inner.length === 0) byParameter.set(root, docs);
    else {
      const map = nested.get(root) ?? new Map<string, DocAnnotations>();
      nested.set(root, map);
      map.set(inner.join('.'), docs);
    }
  }
  return { byParameter, nested, problems };
}

/** Tags set both in the method's JSDoc and in the parameter's own block, with different values. */
function conflictingTags(
  fromMethod: DocAnnotations | undefined,
  own: DocAnnotations,
): (DocTag & { before: string })[] {
  if (fromMethod === undefined) return [];
  const conflicts: (DocTag & { before: string })[] = [];
  for (const tag of own.tags) {
    if (!isConstraintTag(tag.name)) continue;
    const other = fromMethod.tags.find((t) => t.name === tag.name);
    if (other !== undefined && other.text !== tag.text) conflicts.push({ ...tag, before: other.text });
  }
  return conflicts;
}

/**
 * Applies `@param opts.limit …` docs to the property `limit` inside the parameter's schema,
 * copying the objects on the way (schemas may be shared through the cache). Reports a path
 * that does not lead to a property of an inline object schema.
 */
function annotateNested(
  schema: JsonObject,
  path: string,
  docs: DocAnnotations,
  builder: TypeSchemaBuilder,
  parameter: string,
): JsonObject {
  const [head, ...tail] = path.split('.');
  const properties = schema.properties;
  const inner =
    head !== undefined && typeof properties === 'object' && properties !== null && !Array.isArray(properties)
      ? properties[head]
      : undefined;
  if (head === undefined || typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    const at = docs.tags[0]?.node;
    if (docs.tags.length > 0)
      builder.reportIssue({
        path: `${parameter}.${path}`,
        message: `@param ${parameter}.${path} names no property of an inline object inside \`${parameter}\`, so its tags cannot be applied`,
        fix: 'put the tags on the property declaration (in its interface or type literal)',
        ...(at === undefined ? {} : { at }),
      });
    return schema;
  }
  let target: JsonObject = { ...inner };
  if (tail.length > 0) target = annotateNested(target, tail.join('.'), docs, builder, `${parameter}.${head}`);
  else builder.annotate(target, docs, `${parameter}.${path}`);
  return { ...schema, properties: { ...(properties as JsonObject), [head]: target } };
}

/**
 * The JSON value of a parameter initializer written as a literal: strings, numbers, booleans,
 * `null`, arrays and objects of those, enum members (`Environment.Prod`), with `as const`
 * allowed. Anything else (a variable, a call, a computation) is undefined: it is not put in the
 * schema.
 */
export function initializerJson(node: ts.Expression, checker: ts.TypeChecker): Json | undefined {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node))
    return initializerJson(node.expression, checker);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return finite(Number(node.text));
  if (
    ts.isPrefixUnaryExpression(node) &&
    (node.operator === ts.SyntaxKind.MinusToken || node.operator === ts.SyntaxKind.PlusToken) &&
    ts.isNumericLiteral(node.operand)
  )
    return finite((node.operator === ts.SyntaxKind.MinusToken ? -1 : 1) * Number(node.operand.text));
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(node)) {
    const items: Json[] = [];
    for (const element of node.elements) {
      const value =
        ts.isSpreadElement(element) || ts.isOmittedExpression(element)
          ? undefined
          : initializerJson(element, checker);
      if (value === undefined) return undefined;
      items.push(value);
    }
    return items;
  }
  if (ts.isObjectLiteralExpression(node)) {
    const out: JsonObject = {};
    for (const property of node.properties) {
      if (!ts.isPropertyAssignment(property)) return undefined;
      const name = property.name;
      if (!(ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name))) return undefined;
      const value = initializerJson(property.initializer, checker);
      if (value === undefined) return undefined;
      out[name.text] = value;
    }
    return out;
  }
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
    // An enum member (`Environment.Prod`): its literal value.
    const symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(node) ? node.name : node);
    if (symbol === undefined || !(symbol.flags & ts.SymbolFlags.EnumMember)) return undefined;
    const type = checker.getTypeAtLocation(node);
    if (type.flags & ts.TypeFlags.StringLiteral) return (type as ts.StringLiteralType).value;
    if (type.flags & ts.TypeFlags.NumberLiteral) return finite((type as ts.NumberLiteralType).value);
    return undefined;
  }
  return undefined;
}

function finite(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

/** The annotation of the awaited return value: `T` of a written `Promise<T>`, else the annotation. */
function awaitedNode(node: ts.TypeNode | undefined): ts.TypeNode | undefined {
  if (
    node !== undefined &&
    ts.isTypeReferenceNode(node) &&
    ts.isIdentifier(node.typeName) &&
    node.typeName.text === 'Promise' &&
    node.typeArguments?.length === 1
  )
    return node.typeArguments[0];
  return node;
}

function position(node: ts.Node, rootDir: string): Pick<CompileDiagnostic, 'file' | 'line' | 'column'> {
  const sourceFile = node.getSourceFile();
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
  return { file: relativePath(rootDir, sourceFile.fileName), line: line + 1, column: character + 1 };
}
