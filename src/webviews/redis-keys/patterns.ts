/** Pattern helpers of the key list, without the DOM (unit-tested on Node). */

/** The key a pattern names when it has no unescaped glob character (`\*` is a literal star), else undefined. */
export function exactName(pattern: string): string | undefined {
  if (pattern === '' || /(^|[^\\])(\\\\)*[*?[]/.test(pattern)) return undefined;
  return pattern.replace(/\\(.)/g, '$1');
}
