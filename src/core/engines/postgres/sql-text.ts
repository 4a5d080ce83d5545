import { escapeIdentifier } from 'pg';
import { EngineError } from '../errors';

/** A quoted identifier. Every name that reaches SQL text goes through here; values never do (they are parameters). */
export const ident = (name: string): string => escapeIdentifier(name);

/** `"schema"."name"` */
export const qualified = (schema: string, name: string): string => `${ident(schema)}.${ident(name)}`;

export interface Statement {
  /** The statement's text without the terminating semicolon. */
  text: string;
  /** Offset of `text` in the whole input (for error positions). */
  start: number;
  /** Lower-case keywords and identifiers outside strings and comments, in order. */
  words: string[];
}

const LINE_END = /[\n\r]/g;

/**
 * Splits SQL text into statements the way PostgreSQL's lexer would see them: semicolons inside
 * quotes ('…', E'…', "…"), dollar-quoted bodies ($fn$…$fn$) and comments (-- and nested /* *\/)
 * do not end a statement. A `--` comment ends at a line feed OR a carriage return, as in
 * PostgreSQL's scanner (`newline [\n\r]`): a comment that ran on past a lone `\r` once hid a
 * second statement from this splitter while the server ran it. Semicolons inside parentheses
 * (CREATE RULE … DO (a; b)) and inside the BEGIN … END body of CREATE FUNCTION/PROCEDURE (SQL-standard
 * bodies, BEGIN ATOMIC) do not end a statement either, by psql's own heuristic. Empty statements
 * (only whitespace or comments) are dropped.
 *
 * This text is only ever a guide: every statement the engine sends on behalf of a caller goes
 * through the extended query protocol, where the server itself refuses a second statement.
 */
export function splitStatements(sql: string): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  let words: string[] = [];
  let hasCode = false;
  let depth = 0; // parentheses: a semicolon inside them (e.g. in CREATE RULE … DO (a; b)) does not end the statement
  let blockDepth = 0; // BEGIN … END of a CREATE FUNCTION/PROCEDURE body, counted as psql counts it
  const routine = () => words[0] === 'create' && (words[1] === 'function' || words[1] === 'procedure' || (words[1] === 'or' && words[2] === 'replace' && (words[3] === 'function' || words[3] === 'procedure')));
  const push = (end: number) => {
    const text = sql.slice(start, end);
    if (hasCode) {
      const lead = text.length - text.trimStart().length;
      out.push({ text: text.trim(), start: start + lead, words });
    }
    words = [];
    hasCode = false;
    blockDepth = 0;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      LINE_END.lastIndex = i;
      i = LINE_END.exec(sql) ? LINE_END.lastIndex : sql.length;
    } else if (c === '/' && next === '*') {
      let nest = 1;
      i += 2;
      while (i < sql.length && nest > 0) {
        const step = sql.startsWith('/*', i) ? 1 : sql.startsWith('*/', i) ? -1 : 0;
        nest += step;
        i += step === 0 ? 1 : 2;
      }
    } else if (c === "'" || c === '"') {
      // E'…' strings take backslash escapes; a doubled quote is a literal quote in every form.
      const backslash = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
      hasCode = true;
      i++;
      while (i < sql.length) {
        if (backslash && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64));
      hasCode = true;
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? sql.length : end + tag[0].length;
      } else i++;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(sql.slice(i, i + 256))!;
      const word = m[0].toLowerCase();
      words.push(word);
      if (depth === 0 && routine()) {
        if (word === 'begin') blockDepth++;
        else if (word === 'case' && blockDepth > 0) blockDepth++;
        else if (word === 'end' && blockDepth > 0) blockDepth--;
      }
      hasCode = true;
      i += m[0].length;
    } else {
      if (c === '(') depth++;
      else if (c === ')') depth = Math.max(0, depth - 1);
      if (c === ';' && depth === 0 && blockDepth === 0) {
        push(i);
        start = i + 1;
      } else if (!/\s/.test(c)) hasCode = true;
      i++;
    }
  }
  push(sql.length);
  return out;
}

/** Line and column (1-based) of a 0-based character offset, for error messages. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * The one statement of an ad-hoc SQL text. Several statements are refused rather than run in turn:
 * each statement gets its own result, columns, time limit and transaction, and a caller (the query
 * editor) that wants "run all" calls `query` once per statement from {@link splitStatements}.
 */
export function singleStatement(sql: string): Statement {
  const statements = splitStatements(sql);
  if (statements.length === 0) throw new EngineError('invalid_input', 'PostgreSQL: the SQL text holds no statement');
  if (statements.length > 1) {
    const { line } = lineColumn(sql, statements[1]!.start);
    throw new EngineError(
      'invalid_input',
      `PostgreSQL: the SQL text holds ${statements.length} statements (the second starts on line ${line}); run one statement at a time`,
    );
  }
  const statement = statements[0]!;
  const [first = '', second = ''] = statement.words;
  if (TRANSACTION_CONTROL.has(first) || (first === 'prepare' && second === 'transaction')) {
    throw new EngineError('invalid_input', `PostgreSQL: ${statement.words[0]!.toUpperCase()} is not available here: every query runs in a transaction of its own`);
  }
  return statement;
}

const TRANSACTION_CONTROL = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release']);
const ROW_STARTERS = new Set(['select', 'values', 'table', 'with']);
const WRITE_WORDS = new Set(['insert', 'update', 'delete', 'merge', 'truncate', 'create', 'alter', 'drop', 'grant', 'revoke', 'copy', 'call', 'do', 'vacuum', 'reindex', 'cluster', 'refresh', 'comment', 'security', 'lock']);

/**
 * Statements a server-side cursor can run: DECLARE accepts only queries, not SELECT … INTO nor a WITH
 * that writes. A parenthesised SELECT starts with no word. A miss only costs streaming: the
 * statement then runs directly.
 */
export const isCursorCandidate = (s: Statement): boolean =>
  (ROW_STARTERS.has(s.words[0] ?? '') || s.text.startsWith('(')) && !s.words.includes('into') && !looksLikeWrite(s);

/**
 * A best-effort look at whether a statement writes, for a clear message before the server is asked
 * (EXPLAIN ANALYZE on a read-only connection). The server's read-only transaction is the real guard.
 */
export function looksLikeWrite(s: Statement): boolean {
  const first = s.words[0] ?? '';
  if (first === 'with') return s.words.some((w) => w === 'insert' || w === 'update' || w === 'delete' || w === 'merge');
  return WRITE_WORDS.has(first);
}

/** Values travel as parameters `$n`, each cast to the type it is compared with or stored in. */
export class Params {
  readonly values: (string | null)[] = [];
  /** `cast` is a type name from format_type (trusted catalog text), never caller input. */
  add = (value: string | null, cast: string): string => {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  };
}

/**
 * A whole number for SQL text (LIMIT, FETCH, statement_timeout), checked here too: the extension
 * calls the engine directly, without the operation table's schemas.
 */
export function wholeNumber(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new EngineError('invalid_input', `PostgreSQL: ${name} must be a whole number from ${min} to ${max}`);
  return n;
}
