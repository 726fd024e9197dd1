/**
 * A tool-name pattern: `*` matches any run of characters, `?` one character, everything else
 * itself. `delete_*` matches `delete_entities`; a name without wildcards matches only itself.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`, 's');
  return (name) => re.test(name);
}

/** Whether the pattern has a wildcard (exact names take precedence over patterns). */
export function isPattern(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
