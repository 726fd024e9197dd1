import { ts } from 'ts-morph';
import { isKestrionSymbol, packageNameOf, AGENT_PACKAGE } from './kestrion-tool-symbol';

/** A method carrying Kestrion's `@tool` decorator. */
export interface ToolMethod {
  className: string;
  method: ts.MethodDeclaration;
  /** `name` and `description` when given as string literals in `@tool({ ... })`. */
  options: { name?: string; description?: string };
  /** The `name` literal in `@tool({ name })`, when there is one: where a bad name is reported. */
  nameNode?: ts.Node;
}

/** A misuse found while looking for tools: the node and what is wrong and what to do. */
export interface FinderProblem {
  node: ts.Node;
  tool?: string;
  message: string;
  fix: string;
}

/**
 * Every method in every class of the program (declaration files and `node_modules` excluded)
 * decorated with `@kestrion/agent`'s `tool`, recognized by symbol so that aliased imports and
 * re-exports count and unrelated functions named `tool` do not.
 */
export function findToolMethods(
  program: ts.Program,
  checker: ts.TypeChecker,
  report: (problem: FinderProblem) => void,
): ToolMethod[] {
  const found: ToolMethod[] = [];
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || /[\\/]node_modules[\\/]/.test(sourceFile.fileName)) continue;
    if (!sourceFile.text.includes('@') || packageNameOf(sourceFile.fileName) === AGENT_PACKAGE) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node)) collectFromClass(node, checker, found, report);
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return found;
}

function collectFromClass(
  cls: ts.ClassLikeDeclaration,
  checker: ts.TypeChecker,
  found: ToolMethod[],
  report: (problem: FinderProblem) => void,
): void {
  for (const member of cls.members) {
    if (!ts.canHaveDecorators(member)) continue;
    for (const decorator of ts.getDecorators(member) ?? []) {
      const call = ts.isCallExpression(decorator.expression) ? decorator.expression : undefined;
      const callee = call?.expression ?? decorator.expression;
      const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
      if (!isKestrionSymbol(checker.getSymbolAtLocation(nameNode), 'tool', checker)) continue;
      const memberName = member.name !== undefined && ts.isIdentifier(member.name) ? member.name.text : '?';
      const className = cls.name?.text;
      const key = `${className ?? '(anonymous class)'}.${memberName}`;
      const problem = (message: string, fix: string): void =>
        report({ node: decorator, tool: key, message, fix });
      if (call === undefined) problem('`@tool` must be called', 'write `@tool()`');
      else if (!ts.isMethodDeclaration(member))
        problem('only methods can be tools', 'move `@tool()` onto a method');
      else if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword))
        problem('tools are instance methods', 'remove `static`');
      else if (className === undefined) problem('a tool must live in a named class', 'give the class a name');
      else if (!ts.isIdentifier(member.name))
        problem('a tool method needs a plain name', 'rename the method');
      else found.push({ className, method: member, ...readOptions(call, key, report) });
    }
  }
}

function readOptions(
  call: ts.CallExpression,
  tool: string,
  report: (problem: FinderProblem) => void,
): Pick<ToolMethod, 'options' | 'nameNode'> {
  const options: ToolMethod['options'] = {};
  let nameNode: ts.Node | undefined;
  const arg = call.arguments[0];
  if (arg === undefined || !ts.isObjectLiteralExpression(arg)) return { options };
  for (const property of arg.properties) {
    if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
    const key = property.name.text;
    if (key !== 'name' && key !== 'description') continue;
    const value = property.initializer;
    if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) {
      options[key] = value.text;
      if (key === 'name') nameNode = value;
    } else
      report({
        node: value,
        tool,
        message: `\`${key}\` must be a string literal so the compiler can read it`,
        fix: `write the ${key} as a literal string`,
      });
  }
  return nameNode === undefined ? { options } : { options, nameNode };
}
