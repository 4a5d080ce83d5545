import type { Statement } from '../../core/engines/postgres/sql-text';
import { loadEngine } from '../access/engine-loader';

export type Splitter = (sql: string) => Statement[];

/** The engine's own splitter (PostgreSQL's lexical rules), from the PostgreSQL bundle loaded on first use. */
export const engineSplitter = (extensionPath: string): Splitter => (sql) => (loadEngine(extensionPath, 'postgres') as unknown as { splitStatements: Splitter }).splitStatements(sql);

/** A statement of a document: its text and where it starts (a character offset in the document). */
export interface DocumentStatement {
  text: string;
  offset: number;
}

/**
 * What "Run" runs: every statement of the selection when there is one, else the statement under
 * the cursor (or, between statements, the one just before the cursor).
 */
export function statementsToRun(split: Splitter, text: string, selection: { start: number; end: number }): DocumentStatement[] {
  if (selection.end > selection.start) {
    return split(text.slice(selection.start, selection.end)).map((s) => ({ text: s.text, offset: selection.start + s.start }));
  }
  const all = split(text);
  const at = selection.start;
  const inside = all.find((s) => at >= s.start && at <= s.start + s.text.length + 1);
  const before = [...all].reverse().find((s) => s.start <= at);
  const chosen = inside ?? before ?? all[0];
  return chosen ? [{ text: chosen.text, offset: chosen.start }] : [];
}

/** The 0-based character offset of a 1-based line and column within `text`. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

/** The last "(line L, column C)" the engine appended to a PostgreSQL error, as numbers. */
export function errorPosition(message: string): { line: number; column: number } | undefined {
  const all = [...message.matchAll(/\(line (\d+), column (\d+)\)/g)];
  const last = all.at(-1);
  return last ? { line: Number(last[1]), column: Number(last[2]) } : undefined;
}
