import { ts } from 'ts-morph';
import type { Json, JsonObject } from '../json-types';
import { declaredTypeNode, symbolDocs } from './doc-reader';
import { applyAnnotations, type DocAnnotations } from './jsdoc-annotations';
import type { SchemaIssue } from './schema-issue';
import { templatePattern } from './template-pattern';

/** `parameters` rejects `any`/`unknown`; `returns` describes them as "any JSON" (`{}`). */
export type SchemaMode = 'parameters' | 'returns';

const F = ts.TypeFlags;
const INTEGER_BRANDS = ['integer', 'int', 'Integer', 'Int'];
const NOT_JSON = [
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Promise',
  'RegExp',
  'Function',
  'Error',
  'Buffer',
  'Uint8Array',
];

/**
 * Turns TypeScript types into JSON Schema (2020-12) with the type checker. Types are inlined;
 * a type met again while it is being built (recursion) goes to `$defs` and is referenced with
 * `$ref`. Problems are handed to `report`, never thrown, so a run collects them all.
 * One builder serves one schema document (a tool's parameters, or its return value).
 */
export class TypeSchemaBuilder {
  private readonly building = new Map<ts.Type, { recursive: boolean }>();
  private readonly defNames = new Map<ts.Type, string>();
  private readonly defs = new Map<string, JsonObject>();
  private issues = 0;
  private refs = 0;

  /**
   * @param cache schemas of types already built without problems or references, shared by the
   *   builders of one compilation (per mode); cached objects are never mutated.
   */
  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly mode: SchemaMode,
    private readonly report: (issue: SchemaIssue) => void,
    private readonly cache: Map<ts.Type, JsonObject> = new Map(),
  ) {}

  /** The `$defs` gathered so far (recursive types), to put at the document root. */
  definitions(): JsonObject | undefined {
    if (this.defs.size === 0) return undefined;
    return Object.fromEntries([...this.defs.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The schema of `type`; `path` names the spot for error messages. */
  schemaOf(type: ts.Type, path: string, declaration?: ts.Node): JsonObject {
    const done = this.defNames.get(type);
    if (done !== undefined && this.defs.has(done)) return this.ref(done);
    const state = this.building.get(type);
    if (state !== undefined) {
      state.recursive = true;
      return this.ref(this.defName(type));
    }
    const cached = this.cache.get(type);
    if (cached !== undefined) return cached;
    const [issuesBefore, refsBefore] = [this.issues, this.refs];
    const guard = this.isGuarded(type);
    if (guard) this.building.set(type, { recursive: false });
    let schema = this.build(type, path, declaration);
    const docs = this.typeDocs(type);
    if (docs !== undefined) {
      schema = { ...schema };
      this.annotate(schema, docs, path, declaration);
    }
    if (this.issues === issuesBefore && this.refs === refsBefore) this.cache.set(type, schema);
    if (!guard) return schema;
    const recursive = this.building.get(type)?.recursive === true;
    this.building.delete(type);
    if (!recursive) return schema;
    const name = this.defName(type);
    this.defs.set(name, schema);
    return this.ref(name);
  }

  private ref(name: string): JsonObject {
    this.refs++;
    return { $ref: `#/$defs/${name}` };
  }

  /** Applies JSDoc to a schema, reporting unreadable and unknown tags at the tag. */
  annotate(schema: JsonObject, docs: DocAnnotations, path: string, declaration?: ts.Node): void {
    for (const problem of applyAnnotations(schema, docs))
      this.reportIssue({
        path,
        message: problem.message,
        fix: problem.fix,
        declaration,
        ...(problem.node === undefined ? {} : { at: problem.node }),
      });
  }

  /** Reports a problem found outside the type walk (a tag of the method's JSDoc). */
  reportIssue(issue: SchemaIssue): void {
    this.issues++;
    this.report(issue);
  }

  /**
   * The schema of `type` as written at `typeNode` (a parameter's or property's annotation).
   * The checker forgets type aliases of primitives (`type Email = string` is plain `string`),
   * so their JSDoc is applied here from the syntax, wherever the annotation names them:
   * directly, through an alias chain, as an array or tuple element, in a union, as the value of
   * a `Record`. Inside other generics (`Page<Email>`) the alias is gone: that is reported.
   */
  schemaOfNode(
    type: ts.Type,
    typeNode: ts.TypeNode | undefined,
    path: string,
    declaration?: ts.Node,
  ): JsonObject {
    if (typeNode === undefined || !this.mentionsLostAlias(typeNode, new Set()))
      return this.schemaOf(type, path, declaration);
    return this.fromNode(type, typeNode, path, declaration);
  }

  /** The alias a type reference names (import aliases followed), when it is a type alias. */
  private aliasOf(node: ts.TypeReferenceNode): ts.Symbol | undefined {
    let symbol = this.checker.getSymbolAtLocation(node.typeName);
    if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias)
      symbol = this.checker.getAliasedSymbol(symbol);
    return symbol !== undefined && symbol.flags & ts.SymbolFlags.TypeAlias ? symbol : undefined;
  }

  /** The declaration of a type alias the checker does not keep on its type (an alias of a primitive). */
  private lostAlias(
    node: ts.TypeReferenceNode,
  ): { symbol: ts.Symbol; declaration: ts.TypeAliasDeclaration } | undefined {
    const symbol = this.aliasOf(node);
    const declaration = symbol?.declarations?.find(ts.isTypeAliasDeclaration);
    if (symbol === undefined || declaration === undefined || declaration.typeParameters !== undefined)
      return undefined;
    if (this.checker.getTypeFromTypeNode(node).aliasSymbol === symbol) return undefined;
    return { symbol, declaration };
  }

  private hasDocs(symbol: ts.Symbol): boolean {
    const docs = symbolDocs(symbol, this.checker);
    return docs.description !== undefined || docs.tags.length > 0;
  }

  /** True when the annotation names, somewhere the type walk cannot see it, an alias with JSDoc. */
  private mentionsLostAlias(node: ts.TypeNode, seen: Set<ts.Symbol>): boolean {
    if (
      ts.isParenthesizedTypeNode(node) ||
      ts.isTypeOperatorNode(node) ||
      ts.isOptionalTypeNode(node) ||
      ts.isRestTypeNode(node)
    )
      return this.mentionsLostAlias(node.type, seen);
    if (ts.isNamedTupleMember(node)) return this.mentionsLostAlias(node.type, seen);
    if (ts.isArrayTypeNode(node)) return this.mentionsLostAlias(node.elementType, seen);
    if (ts.isTupleTypeNode(node)) return node.elements.some((e) => this.mentionsLostAlias(e, seen));
    if (ts.isUnionTypeNode(node)) return node.types.some((t) => this.mentionsLostAlias(t, seen));
    if (!ts.isTypeReferenceNode(node)) return false;
    const lost = this.lostAlias(node);
    if (lost !== undefined) {
      if (seen.has(lost.symbol)) return false;
      seen.add(lost.symbol);
      return this.hasDocs(lost.symbol) || this.mentionsLostAlias(lost.declaration.type, seen);
    }
    return (node.typeArguments ?? []).some((t) => this.mentionsLostAlias(t, seen));
  }

  private fromNode(type: ts.Type, node: ts.TypeNode, path: string, declaration?: ts.Node): JsonObject {
    if (ts.isParenthesizedTypeNode(node) || ts.isNamedTupleMember(node) || ts.isOptionalTypeNode(node))
      return this.fromNode(type, node.type, path, declaration);
    if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword)
      return this.fromNode(type, node.type, path, declaration);
    if (!ts.isUnionTypeNode(node)) {
      // An optional slot's type has `undefined` in it, which its annotation does not name.
      const defined = this.withoutUndefined(type);
      if (defined === undefined) return this.schemaOf(type, path, declaration);
      type = defined;
    }
    const checker = this.checker;
    if (ts.isTypeReferenceNode(node)) {
      const lost = this.lostAlias(node);
      if (lost !== undefined) {
        const schema = { ...this.fromNode(type, lost.declaration.type, path, declaration) };
        if (this.hasDocs(lost.symbol))
          this.annotate(schema, symbolDocs(lost.symbol, checker), path, declaration);
        return schema;
      }
      const args = node.typeArguments ?? [];
      if (checker.isArrayType(type) && args.length === 1)
        return this.arrayOf(type, args[0], path, declaration);
      const record = args.length === 2 && ts.isIdentifier(node.typeName) && node.typeName.text === 'Record';
      const schema = this.schemaOf(type, path, declaration);
      const index = checker.getIndexInfosOfType(type).find((info) => !(info.keyType.flags & F.ESSymbolLike));
      if (record && index !== undefined && typeof schema.additionalProperties === 'object')
        return {
          ...schema,
          additionalProperties: this.schemaOfNode(index.type, args[1], `${path}[key]`, declaration),
        };
      const lostArg = args.find((a) => this.mentionsLostAlias(a, new Set()));
      if (lostArg !== undefined)
        this.reportIssue({
          path,
          message: `the JSDoc of the type alias in \`${lostArg.getText()}\` is lost inside \`${node.getText()}\`: TypeScript erases aliases of primitives passed to a generic`,
          fix: 'name the alias where the value is declared (a property or parameter typed with it, or `Alias[]`), or make the alias a branded type (`string & { __format?: "email" }`)',
          declaration,
          at: lostArg,
        });
      return schema;
    }
    if (ts.isArrayTypeNode(node) && checker.isArrayType(type))
      return this.arrayOf(type, node.elementType, path, declaration);
    if (ts.isTupleTypeNode(node) && checker.isTupleType(type))
      return this.tuple(type as ts.TupleTypeReference, path, declaration, node.elements);
    if (ts.isUnionTypeNode(node) && type.flags & F.Union) return this.unionOfNodes(node, path, declaration);
    return this.schemaOf(type, path, declaration);
  }

  private withoutUndefined(type: ts.Type): ts.Type | undefined {
    if (!(type.flags & F.Union)) return type;
    const members = (type as ts.UnionType).types.filter((t) => !(t.flags & (F.Undefined | F.Void)));
    if (members.length === (type as ts.UnionType).types.length) return type;
    return members.length === 1 ? members[0] : undefined;
  }

  private arrayOf(
    type: ts.Type,
    elementNode: ts.TypeNode | undefined,
    path: string,
    declaration?: ts.Node,
  ): JsonObject {
    const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
    return {
      type: 'array',
      items: element === undefined ? {} : this.schemaOfNode(element, elementNode, `${path}[]`, declaration),
    };
  }

  /** A union built member by member from its annotation, so each member keeps its alias's JSDoc. */
  private unionOfNodes(node: ts.UnionTypeNode, path: string, declaration?: ts.Node): JsonObject {
    let nullable = false;
    const schemas: JsonObject[] = [];
    for (const member of node.types) {
      const type = this.checker.getTypeFromTypeNode(member);
      if (type.flags & (F.Undefined | F.Void)) continue;
      if (type.flags & F.Null) nullable = true;
      else schemas.push(this.schemaOfNode(type, member, path, declaration));
    }
    if (schemas.length === 0) return nullable ? { type: 'null' } : { not: {} };
    const merged = mergeLiterals(schemas);
    return nullable ? withNull(merged) : merged;
  }

  private isGuarded(type: ts.Type): boolean {
    return (type.flags & (F.Object | F.Union | F.Intersection)) !== 0 && !(type.flags & F.Boolean);
  }

  private defName(type: ts.Type): string {
    const known = this.defNames.get(type);
    if (known !== undefined) return known;
    const raw = this.checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
    const base = raw.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'Type';
    let name = base;
    for (let i = 2; [...this.defNames.values()].includes(name); i++) name = `${base}_${i}`;
    this.defNames.set(type, name);
    return name;
  }

  private typeDocs(type: ts.Type): DocAnnotations | undefined {
    const symbol =
      type.aliasSymbol ?? (type.flags & (F.Object | F.EnumLiteral) ? type.getSymbol() : undefined);
    if (
      symbol === undefined ||
      !(symbol.flags & (ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Interface | ts.SymbolFlags.Enum))
    )
      return undefined;
    if (
      symbol.declarations?.some(
        (d) => d.getSourceFile().hasNoDefaultLib || isLibFile(d.getSourceFile().fileName),
      )
    )
      return undefined;
    const docs = symbolDocs(symbol, this.checker);
    return docs.description === undefined && docs.tags.length === 0 ? undefined : docs;
  }

  private unsupported(path: string, message: string, fix: string, declaration?: ts.Node): JsonObject {
    this.reportIssue({ path, message, fix, declaration });
    return {};
  }

  private build(type: ts.Type, path: string, declaration?: ts.Node): JsonObject {
    const flags = type.flags;
    if (flags & (F.Any | F.Unknown)) {
      if (this.mode === 'returns') return {};
      const what = flags & F.Any ? 'any' : 'unknown';
      return this.unsupported(
        path,
        `type \`${what}\` has no schema`,
        'declare a concrete type (an interface, a union, Record<string, T>)',
        declaration,
      );
    }
    if (flags & F.Never)
      return this.unsupported(
        path,
        'type `never` has no values',
        'remove it or give it a real type',
        declaration,
      );
    if (flags & (F.BigInt | F.BigIntLiteral))
      return this.unsupported(
        path,
        '`bigint` cannot travel as JSON',
        'use `string` (decimal digits) or `number`',
        declaration,
      );
    if (flags & F.ESSymbolLike)
      return this.unsupported(path, 'symbols cannot travel as JSON', 'use a string', declaration);
    if (flags & F.Boolean) return { type: 'boolean' };
    if (flags & F.String) return { type: 'string' };
    if (flags & F.Number) return { type: 'number' };
    if (flags & (F.StringLiteral | F.NumberLiteral)) {
      const value = (type as ts.LiteralType).value as string | number;
      return { type: typeof value === 'string' ? 'string' : 'number', const: value };
    }
    if (flags & F.BooleanLiteral) return { type: 'boolean', const: intrinsicName(type) === 'true' };
    if (flags & F.Null) return { type: 'null' };
    if (flags & (F.Undefined | F.Void)) {
      if (this.mode === 'returns') return { type: 'null' };
      return this.unsupported(
        path,
        '`undefined` alone has no JSON form',
        'make the parameter optional (`?`) with a real type',
        declaration,
      );
    }
    if (flags & F.TemplateLiteral) {
      const pattern = templatePattern(type as ts.TemplateLiteralType);
      if (pattern === undefined)
        return this.unsupported(
          path,
          'this template literal type has a hole the compiler cannot describe',
          'use string, number or literal unions in the holes',
          declaration,
        );
      return { type: 'string', pattern };
    }
    if (flags & F.StringMapping) return { type: 'string' };
    if (flags & F.Union) return this.union(type as ts.UnionType, path, declaration);
    if (flags & F.Intersection) return this.intersection(type as ts.IntersectionType, path, declaration);
    if (flags & F.TypeParameter)
      return this.unsupported(
        path,
        `generic type parameter \`${this.checker.typeToString(type)}\` is not instantiated`,
        'give the tool a concrete type (instantiate the generic)',
        declaration,
      );
    if (flags & F.NonPrimitive)
      return this.unsupported(
        path,
        'type `object` says nothing about its properties',
        'use an interface or Record<string, T>',
        declaration,
      );
    if (flags & F.Object) return this.object(type as ts.ObjectType, path, declaration);
    return this.unsupported(
      path,
      `type \`${this.checker.typeToString(type)}\` is not supported`,
      'use JSON-shaped types',
      declaration,
    );
  }

  private union(type: ts.UnionType, path: string, declaration?: ts.Node): JsonObject {
    let members = type.types.filter((t) => !(t.flags & (F.Undefined | F.Void)));
    const nullable = members.some((t) => t.flags & F.Null);
    members = members.filter((t) => !(t.flags & F.Null));
    const booleans = members.filter((t) => t.flags & F.BooleanLiteral);
    const schemas: JsonObject[] = [];
    if (booleans.length === 2) schemas.push({ type: 'boolean' });
    for (const member of members) {
      if (booleans.length === 2 && member.flags & F.BooleanLiteral) continue;
      schemas.push(this.schemaOf(member, path, declaration));
    }
    if (schemas.length === 0) return nullable ? { type: 'null' } : { not: {} };
    const merged = mergeLiterals(schemas);
    return nullable ? withNull(merged) : merged;
  }

  private intersection(type: ts.IntersectionType, path: string, declaration?: ts.Node): JsonObject {
    const primitive = type.types.find((t) => t.flags & (F.StringLike | F.NumberLike | F.BooleanLike));
    if (primitive === undefined) return this.object(type, path, declaration);
    // A branded primitive: `number & { __brand: 'integer' }` is an integer, any other brand is its primitive.
    if (primitive.flags & F.Number && type.types.some((t) => brandOf(t, this.checker) !== undefined)) {
      const brand = type.types.map((t) => brandOf(t, this.checker)).find((b) => b !== undefined);
      if (brand !== undefined && INTEGER_BRANDS.includes(brand)) return { type: 'integer' };
    }
    return this.schemaOf(primitive, path, declaration);
  }

  private object(type: ts.Type, path: string, declaration?: ts.Node): JsonObject {
    const checker = this.checker;
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      return {
        type: 'array',
        items: element === undefined ? {} : this.schemaOf(element, `${path}[]`, declaration),
      };
    }
    if (checker.isTupleType(type)) return this.tuple(type as ts.TupleTypeReference, path, declaration);
    const symbol = type.getSymbol();
    const libName =
      symbol !== undefined && symbol.declarations?.every((d) => isLibFile(d.getSourceFile().fileName))
        ? symbol.getName()
        : undefined;
    if (libName === 'Date') return { type: 'string', format: 'date-time' };
    if (libName !== undefined && NOT_JSON.includes(libName))
      return this.unsupported(
        path,
        `\`${libName}\` does not survive JSON`,
        libName === 'Promise'
          ? 'await the value in the tool instead'
          : 'use an array, a Record or a plain interface',
        declaration,
      );
    const properties = checker.getPropertiesOfType(type);
    if (type.getCallSignatures().length > 0 && properties.length === 0)
      return this.unsupported(
        path,
        'functions cannot be sent by a model',
        'take data (a name, an id) and look the function up inside the tool',
        declaration,
      );
    return this.properties(type, properties, path);
  }

  private properties(type: ts.Type, properties: readonly ts.Symbol[], path: string): JsonObject {
    const props: JsonObject = {};
    const required: string[] = [];
    for (const property of properties) {
      const name = property.getName();
      const decl = property.valueDeclaration ?? property.declarations?.[0];
      const at = `${path}.${name}`;
      if (name.startsWith('__@')) {
        this.reportIssue({
          path: at,
          message: 'symbol-keyed properties cannot travel as JSON',
          fix: 'use a string key',
          declaration: decl,
        });
        continue;
      }
      if (property.flags & ts.SymbolFlags.Method) {
        this.reportIssue({
          path: at,
          message: 'methods cannot be sent by a model',
          fix: 'take plain data (an interface without methods)',
          declaration: decl,
        });
        continue;
      }
      const propertyType = this.checker.getTypeOfSymbol(property);
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0 || includesUndefined(propertyType);
      const schema = { ...this.schemaOfNode(propertyType, declaredTypeNode(decl), at, decl) };
      this.annotate(schema, symbolDocs(property, this.checker), at, decl);
      props[name] = schema;
      if (!optional) required.push(name);
    }
    const out: JsonObject = { type: 'object' };
    const index = this.checker
      .getIndexInfosOfType(type)
      .find((info) => !(info.keyType.flags & F.ESSymbolLike));
    if (properties.length > 0 || index === undefined) out.properties = props;
    if (required.length > 0) out.required = required;
    out.additionalProperties =
      index === undefined ? false : this.schemaOf(index.type, `${path}[key]`, index.declaration);
    return out;
  }

  private tuple(
    type: ts.TupleTypeReference,
    path: string,
    declaration?: ts.Node,
    nodes?: readonly ts.TypeNode[],
  ): JsonObject {
    const target = type.target;
    const elements = this.checker.getTypeArguments(type);
    const prefixItems: Json[] = [];
    let rest: JsonObject | false = false;
    let minItems = 0;
    elements.forEach((element, i) => {
      const flag = target.elementFlags[i] ?? ts.ElementFlags.Required;
      const schema = this.schemaOfNode(
        element,
        tupleElementNode(nodes, elements.length, i, flag),
        `${path}[${i}]`,
        declaration,
      );
      if (flag & ts.ElementFlags.Variable) rest = schema;
      else {
        prefixItems.push(schema);
        if (flag & ts.ElementFlags.Required) minItems = i + 1;
      }
    });
    const out: JsonObject = { type: 'array', prefixItems, items: rest, minItems };
    if (rest === false) out.maxItems = prefixItems.length;
    return out;
  }
}

/** The annotation of a tuple element's value (a rest element's item), when the annotation lines up with the type. */
function tupleElementNode(
  nodes: readonly ts.TypeNode[] | undefined,
  count: number,
  i: number,
  flag: ts.ElementFlags,
): ts.TypeNode | undefined {
  if (nodes === undefined || nodes.length !== count) return undefined;
  let node = nodes[i];
  if (node !== undefined && ts.isNamedTupleMember(node)) node = node.type;
  if (node !== undefined && ts.isRestTypeNode(node)) node = node.type;
  if (node !== undefined && flag & ts.ElementFlags.Rest)
    return ts.isArrayTypeNode(node) ? node.elementType : undefined;
  return node;
}

function intrinsicName(type: ts.Type): string | undefined {
  return (type as { intrinsicName?: string }).intrinsicName;
}

function isLibFile(fileName: string): boolean {
  return /[\\/]typescript[\\/]lib[\\/]lib\.[^\\/]*\.d\.ts$|^\/?lib\.[^\\/]*\.d\.ts$|[\\/]@types[\\/]node[\\/]/.test(
    fileName,
  );
}

/** True when the type is `undefined` or a union containing it (an optional slot). */
export function includesUndefined(type: ts.Type): boolean {
  if (type.flags & (F.Undefined | F.Void)) return true;
  return (
    (type.flags & F.Union) !== 0 && (type as ts.UnionType).types.some((t) => t.flags & (F.Undefined | F.Void))
  );
}

function brandOf(type: ts.Type, checker: ts.TypeChecker): string | undefined {
  if (!(type.flags & F.Object)) return undefined;
  for (const key of ['__brand', '_brand', '__kind', 'brand']) {
    const property = checker.getPropertyOfType(type, key);
    if (property === undefined) continue;
    const brandType = checker.getTypeOfSymbol(property);
    if (brandType.flags & F.StringLiteral) return (brandType as ts.StringLiteralType).value;
  }
  return undefined;
}

function mergeLiterals(schemas: JsonObject[]): JsonObject {
  if (schemas.length === 1) return schemas[0] as JsonObject;
  const patterns = schemas.map((s) =>
    s.type === 'string' && Object.keys(s).length === 2 ? s.pattern : undefined,
  );
  if (patterns.every((p): p is string => typeof p === 'string' && p.startsWith('^') && p.endsWith('$')))
    return { type: 'string', pattern: `^(?:${patterns.map((p) => p.slice(1, -1)).join('|')})$` };
  const allLiterals = schemas.every((s) => 'const' in s && Object.keys(s).length === 2);
  const types = new Set(schemas.map((s) => s.type));
  if (allLiterals && types.size === 1)
    return { type: schemas[0]?.type as Json, enum: schemas.map((s) => s.const as Json) };
  return { anyOf: schemas };
}

function withNull(schema: JsonObject): JsonObject {
  if (typeof schema.type === 'string' && schema.$ref === undefined && schema.anyOf === undefined) {
    const out: JsonObject = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum)) out.enum = [...schema.enum, null];
    if ('const' in schema) {
      out.enum = [schema.const as Json, null];
      delete out.const;
    }
    return out;
  }
  if (Array.isArray(schema.anyOf) && Object.keys(schema).length === 1)
    return { anyOf: [...schema.anyOf, { type: 'null' }] };
  return { anyOf: [schema, { type: 'null' }] };
}
