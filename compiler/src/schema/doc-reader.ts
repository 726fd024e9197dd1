import { ts } from 'ts-morph';
import type { DocAnnotations } from './jsdoc-annotations';

/** The JSDoc description and tags of a symbol (a property, a type alias, an interface). */
export function symbolDocs(symbol: ts.Symbol, checker: ts.TypeChecker): DocAnnotations {
  const description = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const tags = symbol.getJsDocTags(checker).map((tag) => ({
    name: tag.name,
    text: ts.displayPartsToString(tag.text).trim(),
  }));
  return { description: description === '' ? undefined : description, tags };
}

/**
 * The JSDoc of the type alias a declaration's type annotation names, for aliases the checker
 * forgets (an alias of a primitive, `type Slug = string`, is plain `string` to the checker).
 */
export function aliasDocsOfTypeNode(
  node: ts.Node | undefined,
  checker: ts.TypeChecker,
): DocAnnotations | undefined {
  if (node === undefined || !ts.isTypeReferenceNode(node)) return undefined;
  let symbol = checker.getSymbolAtLocation(node.typeName);
  if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  if (symbol === undefined || !(symbol.flags & ts.SymbolFlags.TypeAlias)) return undefined;
  const docs = symbolDocs(symbol, checker);
  return docs.description === undefined && docs.tags.length === 0 ? undefined : docs;
}

/** The type annotation of a property or parameter declaration, if it has one. */
export function declaredTypeNode(declaration: ts.Node | undefined): ts.TypeNode | undefined {
  if (declaration === undefined) return undefined;
  if (
    ts.isPropertySignature(declaration) ||
    ts.isPropertyDeclaration(declaration) ||
    ts.isParameter(declaration)
  )
    return declaration.type;
  return undefined;
}
