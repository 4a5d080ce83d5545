/** The database engines a connection string can belong to. */
export type EngineType = 'postgres' | 'redis' | 'mongodb';

export const ENGINE_LABEL: Record<EngineType, string> = {
  postgres: 'PostgreSQL',
  redis: 'Redis',
  mongodb: 'MongoDB',
};

/**
 * Stable codes for what is wrong, for callers that branch or count (messages may change):
 * - `empty`: nothing but whitespace
 * - `whitespace`: a space, tab or line break inside a URI
 * - `scheme`: missing or wrong `scheme://` for the chosen engine
 * - `syntax`: the structure is broken (a `#`, a missing `=` or `/`, an unterminated quote)
 * - `credentials`: user name and password do not fit together (a password without a user)
 * - `encoding`: a character that must be percent-encoded is not, or a `%` escape is malformed
 * - `host`: missing, empty or invalid host, or a host count the form does not allow
 * - `port`: not a number or outside 1-65535
 * - `database`: the path: database name, Redis db index or Sentinel master name
 * - `option`: unknown parameter, bad value, or options that contradict each other
 */
export type ConnectionStringReason =
  | 'empty'
  | 'whitespace'
  | 'scheme'
  | 'syntax'
  | 'credentials'
  | 'encoding'
  | 'host'
  | 'port'
  | 'database'
  | 'option';

/**
 * A malformed connection string. The message names the problem and never contains the password:
 * every fragment of the input it quotes went through a {@link Redactor}.
 */
export class ConnectionStringError extends Error {
  override readonly name = 'ConnectionStringError';

  constructor(
    readonly engine: EngineType,
    readonly reason: ConnectionStringReason,
    detail: string,
  ) {
    super(`Invalid ${ENGINE_LABEL[engine]} connection string: ${detail}`);
  }
}

export type Span = readonly [start: number, end: number];

const SECRET_PARAM = /^(pass|passwd|pwd)$|password|secret|token/i;

/**
 * The parts of `raw` that may hold a password under ANY reading of it, found without parsing so that
 * it also works on strings that do not parse: everything between `://` and the last `@` (a password
 * with an unencoded `/`, `?` or `@` moves the real end of the user info), and the value of every
 * password-like `key=value` parameter up to the next `key=` (an unquoted or unencoded password may
 * swallow separators). Over-covering is fine: these regions are only ever hidden, never shown.
 */
export function sensitiveRegions(raw: string): Span[] {
  const regions: Span[] = [];
  const schemeEnd = raw.indexOf('://');
  if (schemeEnd !== -1) {
    const start = schemeEnd + 3;
    const lastAt = raw.lastIndexOf('@');
    if (lastAt >= start) regions.push([start, lastAt]);
  }
  const param = /(^|[\s?&;])([A-Za-z_][\w.-]*)\s*=\s*/g;
  const nextKey = /[\s&;][A-Za-z_][\w.-]*\s*=/g;
  for (let m = param.exec(raw); m; m = param.exec(raw)) {
    if (!SECRET_PARAM.test(m[2]!)) continue;
    const valueStart = m.index + m[0].length;
    nextKey.lastIndex = valueStart;
    const next = raw[valueStart] === "'" ? closingQuote(raw, valueStart) : nextKey.exec(raw)?.index;
    regions.push([valueStart, next ?? raw.length]);
  }
  return regions;
}

/** The index after the quote that closes the libpq-quoted value starting at `open`, if any. */
function closingQuote(raw: string, open: number): number | undefined {
  for (let i = open + 1; i < raw.length; i++) {
    if (raw[i] === '\\') i++;
    else if (raw[i] === "'") return i + 1;
  }
  return undefined;
}

export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

const HIDDEN = '(not shown: it may contain the password)';

/**
 * Quotes fragments of the input for error messages, but only those that occur in the raw string
 * outside every {@link sensitiveRegions} region: a port that is really the tail of a password with an
 * unencoded `/` is hidden, a misspelt `sslmode` after the host is shown.
 */
export class Redactor {
  private readonly regions: Span[];

  constructor(private readonly raw: string) {
    this.regions = sensitiveRegions(raw);
  }

  /** `'fragment'` when it is safe to show, otherwise a note that it is hidden. */
  show(fragment: string): string {
    if (fragment.length > 60) fragment = fragment.slice(0, 57) + '...';
    return this.isSafe(fragment) ? `'${fragment}'` : HIDDEN;
  }

  private isSafe(fragment: string): boolean {
    if (this.regions.length === 0 || fragment === '') return true;
    const probe = fragment.endsWith('...') ? fragment.slice(0, -3) : fragment;
    for (let at = this.raw.indexOf(probe); at !== -1; at = this.raw.indexOf(probe, at + 1)) {
      const end = at + probe.length;
      if (this.regions.every(([s, e]) => end <= s || at >= e)) return true;
    }
    return false;
  }
}
