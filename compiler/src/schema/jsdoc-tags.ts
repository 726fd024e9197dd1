/**
 * The JSDoc tag vocabulary of the compiler: the tags that change a schema, the documentation
 * tags it accepts and ignores, and "did you mean" suggestions for everything else.
 */

/** Tags whose value is a number: `@minimum 1`. */
export const NUMERIC_TAGS: readonly string[] = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
];

/** Tags whose value is a string: `@format email`, `@pattern ^[a-z]+$`. */
export const STRING_TAGS: readonly string[] = ['pattern', 'format'];

/**
 * Tags that constrain one value's schema. In a method's JSDoc each of them belongs to a
 * parameter: the one of the `@param` it follows, or the one it names first (`@minimum amount 1`).
 */
export const CONSTRAINT_TAGS: readonly string[] = [
  ...NUMERIC_TAGS,
  ...STRING_TAGS,
  'default',
  'integer',
  'asType',
];

/** Every tag that changes a schema (`@deprecated` and `@description` also describe methods). */
export const SCHEMA_TAGS: readonly string[] = [...CONSTRAINT_TAGS, 'deprecated', 'description'];

/**
 * Standard TSDoc and JSDoc tags users write anyway. They are accepted everywhere and do not
 * change a schema (`@deprecated` and `@description` do, see {@link SCHEMA_TAGS}). Any other tag
 * is a compile error with a suggestion, so a misspelt constraint (`@maximun`) is not lost.
 */
export const DOCUMENTATION_TAGS: readonly string[] = [
  // TSDoc
  'alpha',
  'beta',
  'decorator',
  'defaultValue',
  'eventProperty',
  'example',
  'experimental',
  'inheritDoc',
  'internal',
  'label',
  'link',
  'override',
  'packageDocumentation',
  'param',
  'privateRemarks',
  'public',
  'readonly',
  'remarks',
  'returns',
  'sealed',
  'see',
  'throws',
  'typeParam',
  'virtual',
  // JSDoc and TypeScript
  'abstract',
  'access',
  'author',
  'callback',
  'category',
  'class',
  'constant',
  'constructor',
  'copyright',
  'enum',
  'exception',
  'extends',
  'augments',
  'file',
  'fileoverview',
  'function',
  'ignore',
  'implements',
  'license',
  'linkcode',
  'linkplain',
  'memberof',
  'module',
  'name',
  'namespace',
  'overload',
  'private',
  'prop',
  'property',
  'protected',
  'return',
  'satisfies',
  'since',
  'summary',
  'template',
  'this',
  'todo',
  'type',
  'typedef',
  'version',
  'yields',
];

const ALL_TAGS = [...SCHEMA_TAGS, ...DOCUMENTATION_TAGS];
const LOWER = new Map(ALL_TAGS.map((t) => [t.toLowerCase(), t]));

/** Short or foreign spellings whose meaning is clear. */
const ALIAS_LIST: Record<string, string> = {
  min: 'minimum',
  max: 'maximum',
  exclusiveMin: 'exclusiveMinimum',
  exclusiveMax: 'exclusiveMaximum',
  gt: 'exclusiveMinimum',
  lt: 'exclusiveMaximum',
  gte: 'minimum',
  lte: 'maximum',
  minLen: 'minLength',
  maxLen: 'maxLength',
  minSize: 'minItems',
  maxSize: 'maxItems',
  multiple: 'multipleOf',
  step: 'multipleOf',
  regex: 'pattern',
  regexp: 'pattern',
  int: 'integer',
  defaultvalue: 'defaultValue',
  desc: 'description',
  return: 'returns',
  deprecate: 'deprecated',
};
const ALIASES = new Map(Object.entries(ALIAS_LIST).map(([k, v]) => [k.toLowerCase(), v]));

/** True when the compiler knows the tag (it changes a schema or is an accepted documentation tag). */
export function isKnownTag(name: string): boolean {
  return ALL_TAGS.includes(name);
}

/** True for tags that constrain a value (`@minimum`, `@format`, `@default`, `@integer`, …). */
export function isConstraintTag(name: string): boolean {
  return CONSTRAINT_TAGS.includes(name);
}

/**
 * The known tag an unknown one most likely means: an alias (`@max`), the same tag in another
 * case (`@minlength`), the closest by edit distance (`@minimun`, `@formt`), or a known tag it
 * starts (`@except`). Schema tags win ties. Undefined when nothing is close.
 */
export function suggestTag(name: string): string | undefined {
  const alias = ALIASES.get(name.toLowerCase());
  if (alias !== undefined) return alias;
  const sameCase = LOWER.get(name.toLowerCase());
  if (sameCase !== undefined) return sameCase;
  const lower = name.toLowerCase();
  let best: { tag: string; distance: number } | undefined;
  for (const tag of ALL_TAGS) {
    const distance = editDistance(lower, tag.toLowerCase());
    if (best === undefined || distance < best.distance) best = { tag, distance };
  }
  if (best !== undefined && best.distance <= Math.max(1, Math.min(3, Math.floor(name.length / 3))))
    return best.tag;
  if (name.length >= 3) return ALL_TAGS.find((tag) => tag.toLowerCase().startsWith(lower));
  return undefined;
}

/** The message and fix for a tag the compiler does not know. */
export function unknownTagProblem(name: string): { message: string; fix: string } {
  const suggestion = suggestTag(name);
  return {
    message: `unknown JSDoc tag \`@${name}\`${suggestion === undefined ? '' : ` (did you mean \`@${suggestion}\`?)`}`,
    fix:
      suggestion === undefined
        ? `use a schema tag (${CONSTRAINT_TAGS.map((t) => `@${t}`).join(' ')}) or a documentation tag listed in the @kestrion/compiler README, or remove the tag`
        : `write \`@${suggestion}\`, or remove the tag`,
  };
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The candidate closest to `name` by edit distance, when it is close enough to be a typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(name.length / 3))
    ? best.candidate
    : undefined;
}
