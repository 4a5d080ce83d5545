/**
 * Canonical Extended JSON text without its `_id` member (always the first: MongoDB stores `_id`
 * first), cut out of the text so every other field keeps its place (JSON.parse would move keys
 * such as "10" ahead of the others). The template of "Duplicate".
 */
export function withoutId(text: string): string {
  const start = text.indexOf('"_id"');
  if (start < 0) return text;
  let i = text.indexOf(':', start) + 1;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) break;
  }
  // With a comma, the next member takes the place (and the indentation) of _id; alone, an empty line stays to type in.
  const rest = text[i] === ',' ? text.slice(i + 1).replace(/^\s*/, '') : text.slice(i).replace(/^\s*/, '\n');
  return text.slice(0, start) + rest;
}
