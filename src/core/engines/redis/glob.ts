/**
 * Why a SCAN MATCH glob is malformed, or undefined. Redis accepts anything and then matches oddly
 * (an unclosed `[` swallows the rest of the pattern, a trailing `\` matches nothing), so the table's
 * schema refuses these with words a person can act on.
 */
export function globProblem(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i === pattern.length - 1) return 'the pattern ends with a lone "\\" (escape it as "\\\\" to match a backslash)';
      i++;
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      // A ']' right after '[' (or '[^') is a literal member of the class.
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      if (j >= pattern.length) return `the pattern has a "[" at position ${i + 1} without its closing "]" (escape it as "\\[" to match a bracket)`;
      i = j;
    }
  }
  return undefined;
}
