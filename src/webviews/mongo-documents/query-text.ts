/*
 * The query bar's text helpers, without the DOM (unit-tested on Node): what is being typed where
 * a key goes (for completion of field names and operators), and where the engine said a mistake is
 * (its message names the field and "line L, column C (position P)").
 */

/** Query operators offered when a key starts with `$`. */
export const OPERATORS = [
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$type', '$regex', '$options', '$and', '$or', '$nor', '$not',
  '$elemMatch', '$size', '$all', '$expr', '$mod', '$text', '$search',
];

export interface CompletionContext {
  /** Where the key being typed starts (after an opening quote, if any). */
  start: number;
  prefix: string;
  /** The key was opened with a quote. */
  quoted: '"' | "'" | '';
}

/** The key being typed at `caret`, when the caret is in a key position (after `{` or `,`). */
export function completionContext(text: string, caret: number): CompletionContext | undefined {
  let start = caret;
  while (start > 0 && /[\w.$]/.test(text[start - 1]!)) start--;
  let quoted: CompletionContext['quoted'] = '';
  let before = start;
  if (text[before - 1] === '"' || text[before - 1] === "'") {
    quoted = text[before - 1] as '"' | "'";
    before--;
  }
  while (before > 0 && /\s/.test(text[before - 1]!)) before--;
  const opener = text[before - 1];
  if (opener !== '{' && opener !== ',') return undefined;
  if (inString(text, before - 1)) return undefined;
  return { start, prefix: text.slice(start, caret), quoted };
}

/** Whether position `at` is inside a string literal (so a `{` there opens nothing). */
function inString(text: string, at: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < at; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
  }
  return quote !== undefined;
}

/** Field names (or operators) that start with, then contain, the prefix; at most `max`. */
export function suggestions(fields: readonly string[], prefix: string, max = 12): string[] {
  const pool = prefix.startsWith('$') ? OPERATORS : fields;
  const p = prefix.toLowerCase();
  const starts = pool.filter((f) => f.toLowerCase().startsWith(p) && f !== prefix);
  const contains = pool.filter((f) => !f.toLowerCase().startsWith(p) && f.toLowerCase().includes(p));
  return [...starts, ...contains].slice(0, max);
}

/** The text with a completion accepted: the key, quoted, and `: ` after it. */
export function applySuggestion(text: string, caret: number, context: CompletionContext, choice: string): { text: string; caret: number } {
  const q = context.quoted || '"';
  const open = context.quoted ? '' : q;
  // A closing quote the user already typed is reused.
  const end = text[caret] === q ? caret + 1 : caret;
  const inserted = `${open}${choice}${q}: `;
  const from = context.start;
  return { text: text.slice(0, from) + inserted + text.slice(end).replace(/^\s*:\s*/, ''), caret: from + inserted.length };
}

export type QueryField = 'filter' | 'projection' | 'sort';

export interface QueryMistake {
  field: QueryField;
  position: number;
  line: number;
  column: number;
}

/** Where an engine error says the mistake is, when it says ("filter is not valid … at line 1, column 7 (position 6)"). */
export function locateMistake(message: string): QueryMistake | undefined {
  const m = /^(?:MongoDB: )?(filter|projection|sort)\b.*at line (\d+), column (\d+) \(position (\d+)\)/s.exec(message);
  if (!m) return undefined;
  return { field: m[1] as QueryField, line: Number(m[2]), column: Number(m[3]), position: Number(m[4]) };
}

/** Which query field an engine error is about, even without a position (invalid date, not an object…). */
export function fieldOfError(message: string): QueryField | undefined {
  return /^(?:MongoDB: )?(filter|projection|sort)\b/.exec(message)?.[1] as QueryField | undefined;
}

/** The line of `text` holding `position`, and a caret under it: shown under the field in error. */
export function pointAt(text: string, position: number): { line: string; caret: string } {
  const start = text.lastIndexOf('\n', position - 1) + 1;
  const endAt = text.indexOf('\n', position);
  const end = endAt < 0 ? text.length : endAt;
  const from = Math.max(start, position - 60);
  const line = `${from > start ? '…' : ''}${text.slice(from, Math.min(end, position + 60))}${end > position + 60 ? '…' : ''}`;
  return { line, caret: `${' '.repeat(position - from + (from > start ? 1 : 0))}^` };
}
