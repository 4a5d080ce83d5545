import { EngineError } from '../errors';
import type { PostgresEngine } from './engine';
import { buildDeletes, buildInsert, buildUpdate, type DeleteRowsParams, type EditStatement, type InsertRowParams, type UpdateCellParams } from './edit';

export type PreviewEditParams = ({ action: 'update' } & UpdateCellParams) | ({ action: 'delete' } & DeleteRowsParams) | ({ action: 'insert' } & InsertRowParams);

export interface EditPreview {
  /** Each statement as it will run, its parameters written in as literals (for reading, not for running). */
  statements: string[];
  /** Rows the statements will touch: exactly one each, or everything is rolled back. */
  rows: number;
}

/** Longest literal shown; a longer value is cut in the preview only. */
const SHOWN = 500;

/** `'it''s'` — a value as an SQL literal, for display. */
export function sqlLiteral(value: string | null): string {
  if (value === null) return 'NULL';
  const shown = value.length > SHOWN ? `${value.slice(0, SHOWN)}… (${value.length - SHOWN} more characters)` : value;
  return `'${shown.replace(/'/g, "''")}'`;
}

/**
 * Writes a statement's `$n` parameters in as literals. The text is the engine's own (quoted
 * identifiers, `$n::type` parameters, no values), so a `$` inside a quoted identifier is skipped.
 */
export function renderStatement(text: string, values: (string | null)[]): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && !(text[j] === '"' && text[j + 1] !== '"')) j += text[j] === '"' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const param = /^\$(\d+)/.exec(text.slice(i, i + 12));
    if (param) {
      out += sqlLiteral(values[Number(param[1]) - 1] ?? null);
      i += param[0].length;
      continue;
    }
    out += text[i++];
  }
  return out;
}

/**
 * The statements an edit would run, built by the very code that runs them (buildUpdate,
 * buildDeletes, buildInsert), so what the user confirms is what happens. Runs nothing.
 */
export async function previewEdit(engine: PostgresEngine, params: PreviewEditParams, signal?: AbortSignal): Promise<EditPreview> {
  let statements: EditStatement[];
  if (params.action === 'update') statements = [await buildUpdate(engine, params, signal)];
  else if (params.action === 'delete') statements = await buildDeletes(engine, params, signal);
  else if (params.action === 'insert') statements = [await buildInsert(engine, params, signal)];
  else throw new EngineError('invalid_input', 'PostgreSQL: action is update, delete or insert');
  return { statements: statements.map((s) => renderStatement(s.text, s.values)), rows: statements.length };
}
