import { ts } from 'ts-morph';
import { docTagOf, type DocAnnotations, type DocTag } from './jsdoc-annotations';

/** The JSDoc description and tags of a symbol (a property, a type alias, an interface). */
export function symbolDocs(symbol: ts.Symbol, checker: ts.TypeChecker): DocAnnotations {
  const description = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const declarations = symbol.declarations ?? [];
  const tags: DocTag[] =
    declarations.length === 0
      ? symbol.getJsDocTags(checker).map((tag) => ({
          name: tag.name,
          text: ts.displayPartsToString(tag.text).trim(),
        }))
      : declarations.flatMap((declaration) =>
          ts
            .getJSDocCommentsAndTags(declaration)
            .filter(ts.isJSDoc)
            .flatMap((block) => (block.tags ?? []).map(docTagOf)),
        );
  const external = declarations.length > 0 && declarations.every((d) => isExternalFile(d.getSourceFile()));
  return {
    description: description === '' ? undefined : description,
    tags,
    ...(external ? { external } : {}),
  };
}

/** A file the user does not own: a dependency in node_modules or one of TypeScript's libs. */
export function isExternalFile(sourceFile: ts.SourceFile): boolean {
  return (
    sourceFile.hasNoDefaultLib ||
    /[\\/]node_modules[\\/]/.test(sourceFile.fileName) ||
    /^\/?lib\.[^\\/]*\.d\.ts$/.test(sourceFile.fileName)
  );
}

/**
 * The JSDoc of the type alias a declaration's type annotation names, for aliases the checker
 * forgets (an alias of a primitive, `type Slug = string`, is plain `string` to the checker).
 */

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
