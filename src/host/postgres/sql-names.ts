/** An identifier as SQL text: bare when PostgreSQL would read it back unchanged, else double-quoted. */
export const sqlName = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);
export const unquote = (text: string) => (text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text.toLowerCase());

export const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const SOURCE = new RegExp(String.raw`\b(?:from|join|update|into)\s+(${NAME}(?:\s*\.\s*${NAME})?)(?:\s+(?:as\s+)?(?!(?:where|on|join|inner|left|right|full|cross|natural|group|order|limit|set|values|using|returning)\b)(${NAME}))?`, 'gi');

/** Relations a statement reads or writes, by the names it uses for them (the relation's name and its alias). */
export function sourcesOf(statement: string): { relation: string[]; alias?: string }[] {
  return [...statement.matchAll(SOURCE)].map((m) => ({
    relation: m[1]!.split(/\s*\.\s*(?=(?:"|[A-Za-z_]))/).map(unquote),
    alias: m[2] ? unquote(m[2]) : undefined,
  }));
}
