import { ts } from 'ts-morph';
import type { FinderProblem, ToolMethod } from './find-tool-methods';
import { AGENT_PACKAGE, isKestrionSymbol, packageNameOf, resolveAlias } from './kestrion-tool-symbol';

/** A class whose instances have tools (declared on it or inherited): one agent of the manifest. */
export interface AgentClass {
  /**
   * The id the manifest keys its tools by: the literal `name` of the class's own
   * `@agent({ name })`, else the class name. The runtime computes the same from the class
   * (its own `@agent` name, else `constructor.name`), so a name survives minification and a
   * class name does not.
   */
  id: string;
  className: string;
  declaration: ts.ClassLikeDeclaration;
  /** The `name` literal when the id came from `@agent({ name })`, else the class name: where problems are reported. */
  idNode: ts.Node;
  /**
   * Every tool of the class, its own and its ancestors': per method name the nearest
   * decorated declaration, as the runtime resolves them (farthest ancestor's first).
   */
  tools: ToolMethod[];
}

/**
 * Every named class of the program's own files that has `@tool` methods, declared or
 * inherited, with its agent id. A base class's tools are listed under each subclass too: the
 * runtime looks an instance's tools up under the id of the instance's own class.
 */
export function findAgents(
  program: ts.Program,
  checker: ts.TypeChecker,
  methods: readonly ToolMethod[],
  report: (problem: FinderProblem) => void,
): AgentClass[] {
  const own = new Map<ts.ClassLikeDeclaration, ToolMethod[]>();
  for (const m of methods) {
    const cls = m.method.parent as ts.ClassLikeDeclaration;
    own.set(cls, [...(own.get(cls) ?? []), m]);
  }
  const agents: AgentClass[] = [];
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || /[\\/]node_modules[\\/]/.test(sourceFile.fileName)) continue;
    if (packageNameOf(sourceFile.fileName) === AGENT_PACKAGE) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node) && node.name !== undefined) {
        const tools = inheritedTools(node, checker, own);
        if (tools.length > 0)
          agents.push({
            className: node.name.text,
            declaration: node,
            tools,
            ...agentId(node, node.name, checker, report),
          });
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return agents;
}

/**
 * The class's tools and its ancestors', the nearest declaration of each method name winning;
 * ordered from the farthest ancestor down, each class's in declaration order.
 */
function inheritedTools(
  cls: ts.ClassLikeDeclaration,
  checker: ts.TypeChecker,
  own: ReadonlyMap<ts.ClassLikeDeclaration, ToolMethod[]>,
): ToolMethod[] {
  const chain: ts.ClassLikeDeclaration[] = [];
  for (let current: ts.ClassLikeDeclaration | undefined = cls; current !== undefined;) {
    if (chain.includes(current)) break; // a cycle is a type error; do not loop on it
    chain.push(current);
    current = baseClassOf(current, checker);
  }
  const winners = new Map<string, ToolMethod>();
  for (const c of chain)
    for (const m of own.get(c) ?? []) {
      const name = (m.method.name as ts.Identifier).text;
      if (!winners.has(name)) winners.set(name, m);
    }
  const chosen = new Set(winners.values());
  return chain.reverse().flatMap((c) => (own.get(c) ?? []).filter((m) => chosen.has(m)));
}

function baseClassOf(
  cls: ts.ClassLikeDeclaration,
  checker: ts.TypeChecker,
): ts.ClassLikeDeclaration | undefined {
  const clause = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  const base = clause?.types[0];
  if (base === undefined) return undefined;
  const symbol = checker.getSymbolAtLocation(base.expression) ?? checker.getTypeAtLocation(base).getSymbol();
  if (symbol === undefined) return undefined;
  return resolveAlias(symbol, checker).declarations?.find(ts.isClassLike);
}

/**
 * The id of a class: the `name` of its own `@agent(...)` when TypeScript knows it as one string
 * (a literal, a `const`, an `as const` options object), else its class name. A `name` that is
 * only known as `string` is a problem: the runtime would look the tools up under a name the
 * manifest does not have.
 */
function agentId(
  cls: ts.ClassLikeDeclaration,
  className: ts.Identifier,
  checker: ts.TypeChecker,
  report: (problem: FinderProblem) => void,
): Pick<AgentClass, 'id' | 'idNode'> {
  const fallback = { id: className.text, idNode: className };
  for (const decorator of ts.getDecorators(cls) ?? []) {
    const call = ts.isCallExpression(decorator.expression) ? decorator.expression : undefined;
    const callee = call?.expression ?? decorator.expression;
    const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
    if (!isKestrionSymbol(checker.getSymbolAtLocation(nameNode), 'agent', checker)) continue;
    const options = call?.arguments[0];
    if (options === undefined) return fallback;
    const written = ts.isObjectLiteralExpression(options)
      ? options.properties.find(
          (p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === 'name',
        )
      : undefined;
    let node: ts.Node = options;
    let type: ts.Type | undefined;
    if (written !== undefined) {
      node = ts.isPropertyAssignment(written) ? written.initializer : written;
      type = checker.getTypeAtLocation(node);
    } else if (!ts.isObjectLiteralExpression(options)) {
      const property = checker.getTypeAtLocation(options).getProperty('name');
      type = property === undefined ? undefined : checker.getTypeOfSymbolAtLocation(property, options);
    }
    if (type === undefined || type.flags & ts.TypeFlags.Undefined) return fallback;
    if (!type.isStringLiteral()) {
      report({
        node,
        message: `the \`name\` of @agent on ${className.text} is not one known string (its type is \`${checker.typeToString(type)}\`); the manifest keys the agent's tools by it`,
        fix: `write the name as a string literal, e.g. @agent({ name: '${className.text}', ... })`,
      });
      return fallback;
    }
    if (type.value.trim() === '') {
      report({
        node,
        message: `the \`name\` of @agent on ${className.text} is empty`,
        fix: `give the agent a name, e.g. @agent({ name: '${className.text}', ... }), or remove \`name\``,
      });
      return fallback;
    }
    return { id: type.value, idNode: node };
  }
  return fallback;
}
