import { ConnectionStringError, ENGINE_LABEL, isSecretParam, type EngineType, type Redactor, type Span } from './errors';

/*
 * Shared splitting of `scheme://userinfo@hosts/path?query` for the three engines.
 *
 * Why not just `new URL(value)`: the WHATWG parser rejects multi-host authorities (`h1:5432,h2:5433`
 * reads as port "5432,h2:5433"), takes the LAST '@' and percent-encodes unencoded ':' '@' '/' in the
 * user info where libpq takes the first '@' and the MongoDB spec requires an error, and its
 * URLSearchParams turns '+' into a space where libpq keeps it. So the authority and the query are split
 * here, and each single host still goes through `new URL` (see parseHost) to get the platform's rules
 * for IPv6 literals, IPv4 forms and forbidden host characters.
 */

export interface HostPort {
  /** Host name, IP address (IPv6 without brackets) or, for PostgreSQL and MongoDB, a unix socket path starting with '/'. */
  host: string;
  port: number;
}

export interface QueryParam {
  key: string;
  value: string;
  /** Where the raw value sits in the input, for masking. */
  valueSpan: Span;
}

export interface UriParts {
  /** Lower-cased, without `://`. */
  scheme: string;
  /** Decoded; undefined when there is no user info or it is empty. */
  user?: string;
  /** Decoded; undefined when the user info has no ':'. */
  password?: string;
  passwordSpan?: Span;
  /** The raw host list between the user info and the path. */
  hostList: string;
  /** The raw path without its leading '/'; undefined when there is no '/'. */
  path?: string;
  /** The raw text after the host list: path and query. */
  tail: string;
  query: QueryParam[];
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** The scheme in lower case, or undefined when `raw` does not start with `scheme://`. */
export function schemeOf(raw: string): string | undefined {
  return SCHEME.exec(raw)?.[1]?.toLowerCase();
}

/** Rejects empty input and, for URIs, whitespace and control characters anywhere inside. */
export function checkText(raw: string, engine: EngineType, uri: boolean): void {
  if (raw === '') throw new ConnectionStringError(engine, 'empty', 'it is empty');
  // eslint-disable-next-line no-control-regex
  const bad = uri ? /[\s\u0000-\u001f\u007f]/.exec(raw) : /[\u0000]/.exec(raw);
  if (!bad) return;
  const what = bad[0] === ' ' ? 'a space' : /[\r\n]/.test(bad[0]) ? 'a line break' : /\s/.test(bad[0]) ? 'a tab or other whitespace' : 'a control character';
  throw new ConnectionStringError(
    engine,
    'whitespace',
    `it contains ${what} at position ${bad.index + 1}: percent-encode spaces as %20, and remove line breaks (the value was probably copied across two lines)`,
  );
}

const ENCODE: Record<string, string> = { '@': '%40', ':': '%3A', '/': '%2F', '?': '%3F', '#': '%23', '[': '%5B', ']': '%5D' };

function encodingError(engine: EngineType, char: string, where: string, extra = ''): ConnectionStringError {
  return new ConnectionStringError(engine, 'encoding', `percent-encode '${char}' in the ${where} as ${ENCODE[char]}${extra}`);
}

export function decodeOrThrow(text: string, engine: EngineType, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConnectionStringError(engine, 'encoding', `the ${what} contains a '%' that does not start a percent-escape (%XX): write a literal '%' as %25`);
  }
}

/**
 * Splits a URI whose scheme the caller has checked. `strictUserInfo` applies the MongoDB rule that
 * ':' '[' ']' must be percent-encoded in the password too (libpq and Redis clients accept them).
 */
export function splitUri(raw: string, engine: EngineType, redactor: Redactor, strictUserInfo: boolean): UriParts {
  const start = SCHEME.exec(raw)![0].length;
  const rest = raw.slice(start);
  const delimiter = rest.search(/[/?#]/);
  const authEnd = delimiter === -1 ? rest.length : delimiter;
  const authority = rest.slice(0, authEnd);
  const at = authority.lastIndexOf('@');

  if (at === -1) {
    // An '@' further on, not inside a `key=value` parameter, means the user info itself holds a '/',
    // '?' or '#' that ended the authority early: the classic unencoded-password mistake.
    const laterAt = rest.indexOf('@', authEnd);
    if (laterAt !== -1 && !/[=&]/.test(rest.slice(authEnd, laterAt))) {
      const userInfo = rest.slice(0, laterAt);
      const colon = userInfo.indexOf(':');
      const i = userInfo.search(/[/?#]/);
      const where = colon !== -1 && i > colon ? 'password' : 'user name';
      throw encodingError(engine, userInfo[i]!, where, ` (if the '@' belongs to the database name or a parameter instead, write it as %40)`);
    }
  }

  const tail = rest.slice(authEnd);
  const parts: UriParts = { scheme: schemeOf(raw)!, hostList: authority.slice(at + 1), tail, query: [] };
  if (at !== -1) {
    const userInfo = authority.slice(0, at);
    const colon = userInfo.indexOf(':');
    const strayAt = userInfo.indexOf('@');
    if (strayAt !== -1) throw encodingError(engine, '@', colon !== -1 && strayAt > colon ? 'password' : 'user name');
    const rawUser = colon === -1 ? userInfo : userInfo.slice(0, colon);
    if (strictUserInfo && /[[\]]/.test(rawUser)) throw encodingError(engine, /[[\]]/.exec(rawUser)![0], 'user name');
    if (rawUser !== '') parts.user = decodeOrThrow(rawUser, engine, 'user name');
    if (colon !== -1) {
      const rawPassword = userInfo.slice(colon + 1);
      const illegal = strictUserInfo ? /[:[\]]/.exec(rawPassword) : null;
      if (illegal) throw encodingError(engine, illegal[0], 'password');
      parts.password = decodeOrThrow(rawPassword, engine, 'password');
      parts.passwordSpan = [start + colon + 1, start + at];
    }
  }

  if (tail.includes('#')) {
    throw new ConnectionStringError(engine, 'syntax', `it contains a '#', which would start a URL fragment: percent-encode '#' as %23`);
  }
  const q = tail.indexOf('?');
  const beforeQuery = q === -1 ? tail : tail.slice(0, q);
  if (beforeQuery.startsWith('/')) parts.path = beforeQuery.slice(1);
  if (q !== -1) parts.query = parseQuery(tail.slice(q + 1), start + authEnd + q + 1, engine, redactor);
  return parts;
}

/** `a=1&b=2` with percent-decoding only ('+' stays '+', as in libpq and RFC 3986). */
export function parseQuery(query: string, offset: number, engine: EngineType, redactor: Redactor): QueryParam[] {
  const params: QueryParam[] = [];
  let pos = 0;
  for (const segment of query.split('&')) {
    const segStart = pos;
    pos += segment.length + 1;
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    if (eq === -1) {
      throw new ConnectionStringError(engine, 'option', `the parameter ${redactor.show(segment)} has no value: write name=value`);
    }
    const key = decodeOrThrow(segment.slice(0, eq), engine, 'name of a parameter');
    if (key === '') throw new ConnectionStringError(engine, 'option', `a parameter has a value but no name (a '=' right after '?' or '&')`);
    const value = decodeOrThrow(segment.slice(eq + 1), engine, `value of the parameter ${redactor.show(key)}`);
    params.push({ key, value, valueSpan: [offset + segStart + eq + 1, offset + segStart + segment.length] });
  }
  return params;
}

export function parsePort(text: string, engine: EngineType, redactor: Redactor, host: string): number {
  const label = host === '' ? '' : ` of host ${redactor.show(host)}`;
  if (text === '') throw new ConnectionStringError(engine, 'port', `the port${label} is empty after ':': remove the ':' or add a port`);
  if (!/^\d+$/.test(text)) throw new ConnectionStringError(engine, 'port', `the port ${redactor.show(text)}${label} is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new ConnectionStringError(engine, 'port', `the port ${port}${label} is outside 1-65535`);
  return port;
}

/**
 * One `host[:port]` or `[ipv6][:port]`. A percent-decoded host starting with '/' is a unix socket
 * directory (PostgreSQL) or socket file (MongoDB) when `allowSocket`.
 */
export function parseHost(item: string, engine: EngineType, redactor: Redactor, defaultPort: number, allowSocket: boolean): HostPort {
  let literal = item;
  let portText: string | undefined;
  if (item.startsWith('[')) {
    const close = item.indexOf(']');
    if (close === -1) throw new ConnectionStringError(engine, 'host', `the IPv6 address ${redactor.show(item)} has no closing ']'`);
    literal = item.slice(0, close + 1);
    const after = item.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      throw new ConnectionStringError(engine, 'host', `unexpected ${redactor.show(after)} after the IPv6 address ${redactor.show(literal)}`);
    }
    if (after !== '') portText = after.slice(1);
  } else {
    const colons = item.split(':').length - 1;
    if (colons > 1) {
      throw new ConnectionStringError(engine, 'host', `the host ${redactor.show(item)} looks like an IPv6 address: write it in brackets, e.g. [::1]:${defaultPort}`);
    }
    if (colons === 1) [literal, portText] = item.split(':') as [string, string];
  }
  if (literal === '') {
    throw new ConnectionStringError(engine, 'host', `a host name is missing in ${redactor.show(item)}`);
  }
  const port = portText === undefined ? defaultPort : parsePort(portText, engine, redactor, literal);
  const decoded = decodeOrThrow(literal, engine, 'host');
  if (allowSocket && decoded.startsWith('/')) return { host: decoded, port };
  if (!isValidHost(literal)) {
    throw new ConnectionStringError(engine, 'host', `${redactor.show(decoded)} is not a valid host name or IP address`);
  }
  return { host: literal.startsWith('[') ? literal.slice(1, -1) : decoded, port };
}

function isValidHost(literal: string): boolean {
  if (/[\\%]/.test(literal)) return false; // the http parser would read '\' as '/', and percent-escapes in names are a mistake
  try {
    const url = new URL(`http://${literal}/`);
    return url.hostname !== '' && url.pathname === '/' && url.port === '';
  } catch {
    return false;
  }
}

/** A comma-separated host list; an empty list gives []. */
export function parseHostList(list: string, engine: EngineType, redactor: Redactor, defaultPort: number, allowSocket: boolean): HostPort[] {
  if (list === '') return [];
  return list.split(',').map((item) => {
    if (item === '') throw new ConnectionStringError(engine, 'host', 'the host list has an empty entry (two commas in a row, or a comma at an end)');
    return parseHost(item, engine, redactor, defaultPort, allowSocket);
  });
}

/** A JavaScript-safe non-negative (or >= `min`) integer, or undefined. */
export function toInteger(text: string, min = 0): number | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

/** Known schemes and the engine each belongs to. */
export const SCHEME_ENGINE: Readonly<Record<string, EngineType>> = {
  postgresql: 'postgres',
  postgres: 'postgres',
  redis: 'redis',
  rediss: 'redis',
  'redis+sentinel': 'redis',
  'rediss+sentinel': 'redis',
  'redis-sentinel': 'redis',
  'redis+cluster': 'redis',
  'rediss+cluster': 'redis',
  mongodb: 'mongodb',
  'mongodb+srv': 'mongodb',
};

/** `record[key]` for own keys only: a scheme such as `constructor://` must not reach Object.prototype. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** "a <Engine> connection string starts with <accepted> (got x://)", with a hint when x belongs to another engine. */
export function schemeError(engine: EngineType, raw: string, accepted: string): ConnectionStringError {
  const scheme = schemeOf(raw);
  const got = scheme === undefined ? 'no scheme' : scheme.length > 24 ? 'an unknown scheme' : `${scheme}://`;
  const other = scheme === undefined ? undefined : own(SCHEME_ENGINE, scheme);
  const hint = other !== undefined && other !== engine ? `: this looks like a ${ENGINE_LABEL[other]} connection string` : '';
  return new ConnectionStringError(engine, 'scheme', `a ${ENGINE_LABEL[engine]} connection string starts with ${accepted} (got ${got})${hint}`);
}

/** Spans of the values of password-like parameters, for masking. */
export function secretParamSpans(params: readonly QueryParam[]): Span[] {
  return params.filter((p) => isSecretParam(p.key)).map((p) => p.valueSpan);
}

/** A copy without the keys whose value is undefined, so parsed results compare and print cleanly. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** What each engine parser returns internally: the result and where its secrets are in the input. */
export interface ParseResult<T> {
  parsed: T;
  secretSpans: Span[];
}
