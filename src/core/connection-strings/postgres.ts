import { ConnectionStringError, Redactor } from './errors';
import {
  checkText,
  compact,
  parseHostList,
  parsePort,
  schemeError,
  schemeOf,
  secretParamSpans,
  splitUri,
  toInteger,
  type HostPort,
  type ParseResult,
  type QueryParam,
} from './uri';

export const PG_SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type PgSslMode = (typeof PG_SSL_MODES)[number];
export const PG_TARGET_SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const;
export type PgTargetSessionAttrs = (typeof PG_TARGET_SESSION_ATTRS)[number];

export interface PostgresConnection {
  engine: 'postgres';
  /** `uri` for postgresql://, `keyword` for libpq's `host=... dbname=...` form. */
  form: 'uri' | 'keyword';
  /** At least one. A host starting with '/' is a unix socket directory (the port names the socket file). */
  hosts: HostPort[];
  /** Undefined when not given: libpq then uses the operating system user. */
  user?: string;
  password?: string;
  /** The dbname, else the user name (as libpq does), else 'postgres' (libpq would use the OS user name). */
  database: string;
  /** As given, or derived from node-postgres' `ssl=true|false`; undefined means libpq's default, `prefer`. */
  sslmode?: PgSslMode;
  /** Seconds; 0 waits forever. */
  connectTimeout?: number;
  applicationName?: string;
  /** Command-line options sent at connection start, e.g. `-c search_path=app`. */
  options?: string;
  targetSessionAttrs?: PgTargetSessionAttrs;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  sslpassword?: string;
  /** Every parameter given except host, hostaddr, port, user, dbname and the passwords, by libpq name, decoded. */
  params: Record<string, string>;
}

/** libpq's connection keywords (PostgreSQL 17, plus 18's protocol versions) and node-postgres' `ssl`. OAuth ones are left out: no driver here speaks it. */
const KEYWORDS = new Set(
  (
    'host hostaddr port dbname user password passfile require_auth channel_binding connect_timeout client_encoding ' +
    'options application_name fallback_application_name keepalives keepalives_idle keepalives_interval keepalives_count ' +
    'tcp_user_timeout replication gssencmode sslmode sslnegotiation sslcompression sslcert sslkey sslpassword sslcertmode ' +
    'sslrootcert sslcrl sslcrldir sslsni requirepeer ssl_min_protocol_version ssl_max_protocol_version krbsrvname gsslib ' +
    'gssdelegation service target_session_attrs load_balance_hosts min_protocol_version max_protocol_version ssl'
  ).split(' '),
);

const ENUMS: Record<string, readonly string[]> = {
  sslmode: PG_SSL_MODES,
  target_session_attrs: PG_TARGET_SESSION_ATTRS,
  gssencmode: ['disable', 'prefer', 'require'],
  channel_binding: ['disable', 'prefer', 'require'],
  sslnegotiation: ['postgres', 'direct'],
  sslcertmode: ['disable', 'allow', 'require'],
  load_balance_hosts: ['disable', 'random'],
  ssl: ['true', 'false', '1', '0'],
};
const INTEGERS = ['connect_timeout', 'keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count', 'tcp_user_timeout'];
const NOT_PARAMS = new Set(['host', 'hostaddr', 'port', 'user', 'dbname', 'password', 'sslpassword']);

const fail = (reason: ConstructorParameters<typeof ConnectionStringError>[1], detail: string) =>
  new ConnectionStringError('postgres', reason, detail);

export function isLibpqKeyword(name: string): boolean {
  return KEYWORDS.has(name);
}

/** True for text in libpq's keyword/value form: no scheme and a `name=` first. */
export function looksLikeKeywordForm(raw: string): boolean {
  return schemeOf(raw) === undefined && /^\s*[A-Za-z_]\w*\s*=/.test(raw);
}

export function parsePostgres(value: string): PostgresConnection {
  return parsePostgresWithSpans(value).parsed;
}

export function parsePostgresWithSpans(value: string): ParseResult<PostgresConnection> {
  const raw = value.trim();
  const redactor = new Redactor(raw);
  if (raw !== '' && looksLikeKeywordForm(raw)) {
    checkText(raw, 'postgres', false);
    const pairs = tokenizeKeywords(raw, redactor);
    return { parsed: build('keyword', [], pairs, redactor), secretSpans: secretParamSpans(pairs) };
  }
  checkText(raw, 'postgres', true);
  const scheme = schemeOf(raw);
  if (scheme !== 'postgresql' && scheme !== 'postgres') {
    throw schemeError('postgres', raw, "postgresql:// or postgres:// (or is libpq's keyword form host=... dbname=...)");
  }
  const parts = splitUri(raw, 'postgres', redactor, false);
  const authorityHosts = parseHostList(parts.hostList, 'postgres', redactor, 5432, true);
  // The URI's own parts first, then the query: libpq lets a later setting override an earlier one.
  const pairs: QueryParam[] = [];
  if (parts.user !== undefined) pairs.push({ key: 'user', value: parts.user, valueSpan: [0, 0] });
  if (parts.password !== undefined) pairs.push({ key: 'password', value: parts.password, valueSpan: parts.passwordSpan! });
  if (parts.path !== undefined && parts.path !== '') {
    pairs.push({ key: 'dbname', value: decodePath(parts.path), valueSpan: [0, 0] });
  }
  const parsed = build('uri', authorityHosts, [...pairs, ...parts.query], redactor);
  const secretSpans = secretParamSpans(parts.query);
  if (parts.passwordSpan) secretSpans.push(parts.passwordSpan);
  return { parsed, secretSpans };
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw fail('encoding', `the database name contains a '%' that does not start a percent-escape (%XX): write a literal '%' as %25`);
  }
}

function build(form: 'uri' | 'keyword', authorityHosts: HostPort[], pairs: QueryParam[], redactor: Redactor): PostgresConnection {
  const kv = new Map<string, string>();
  for (const { key, value } of pairs) {
    if (!KEYWORDS.has(key)) {
      const lower = KEYWORDS.has(key.toLowerCase()) ? ` (libpq names are lower case: ${key.toLowerCase()})` : '';
      throw fail('option', `unknown parameter ${redactor.show(key)}${lower}; libpq would reject it`);
    }
    kv.set(key, value);
  }
  for (const [key, allowed] of Object.entries(ENUMS)) {
    const v = kv.get(key);
    if (v !== undefined && !allowed.includes(v)) {
      throw fail('option', `${key} ${redactor.show(v)} is not one of ${allowed.join(', ')}`);
    }
  }
  for (const key of INTEGERS) {
    const v = kv.get(key);
    if (v !== undefined && toInteger(v) === undefined) throw fail('option', `${key} ${redactor.show(v)} is not a whole number of seconds or a count`);
  }

  const hosts = resolveHosts(authorityHosts, kv, redactor, form);
  const user = kv.get('user') || undefined;
  const params: Record<string, string> = {};
  for (const [key, v] of kv) if (!NOT_PARAMS.has(key)) params[key] = v;
  const timeout = kv.get('connect_timeout');
  return compact<PostgresConnection>({
    engine: 'postgres',
    form,
    hosts,
    user,
    password: kv.get('password'),
    database: kv.get('dbname') || user || 'postgres',
    sslmode: resolveSslMode(kv.get('sslmode') as PgSslMode | undefined, kv.get('ssl')),
    connectTimeout: timeout === undefined ? undefined : Number(timeout),
    applicationName: kv.get('application_name'),
    options: kv.get('options'),
    targetSessionAttrs: kv.get('target_session_attrs') as PgTargetSessionAttrs | undefined,
    sslrootcert: kv.get('sslrootcert'),
    sslcert: kv.get('sslcert'),
    sslkey: kv.get('sslkey'),
    sslpassword: kv.get('sslpassword'),
    params,
  });
}

/** node-postgres and JDBC read `ssl=true` as "TLS with certificate and host name checks", i.e. verify-full. */
function resolveSslMode(sslmode: PgSslMode | undefined, ssl: string | undefined): PgSslMode | undefined {
  if (ssl === undefined) return sslmode;
  const on = ssl === 'true' || ssl === '1';
  if (sslmode === undefined) return on ? 'verify-full' : 'disable';
  if (on === (sslmode === 'disable')) throw fail('option', `ssl=${ssl} contradicts sslmode=${sslmode}: keep only sslmode`);
  return sslmode;
}

/** Host and port lists as libpq pairs them: one port for all hosts, or one per host. */
function resolveHosts(authorityHosts: HostPort[], kv: Map<string, string>, redactor: Redactor, form: 'uri' | 'keyword'): HostPort[] {
  const hostValue = kv.get('host') ?? kv.get('hostaddr');
  const names = hostValue !== undefined && hostValue !== '' ? hostValue.split(',').map((h) => checkHostName(h, redactor)) : authorityHosts.map((h) => h.host);
  if (names.length === 0) {
    throw fail(
      'host',
      form === 'uri'
        ? `it names no host: put one after '://' (postgresql://user@db.example.com:5432/app) or give ?host=/path/to/socket/dir`
        : 'it names no host: add host=db.example.com (or host=/path/to/socket/dir)',
    );
  }
  const portValue = kv.get('port');
  const ports =
    portValue !== undefined
      ? portValue.split(',').map((p) => (p === '' ? 5432 : parsePort(p, 'postgres', redactor, '')))
      : authorityHosts.length > 0
        ? authorityHosts.map((h) => h.port)
        : [5432];
  if (ports.length !== 1 && ports.length !== names.length) {
    throw fail('port', `${names.length} hosts but ${ports.length} ports: give one port for all hosts or one per host`);
  }
  return names.map((host, i) => ({ host, port: ports.length === 1 ? ports[0]! : ports[i]! }));
}

/** A libpq `host=` entry: a socket directory, a bare IPv6 address (no brackets there) or a name. */
function checkHostName(name: string, redactor: Redactor): string {
  if (name === '') throw fail('host', 'the host list has an empty entry (two commas in a row, or a comma at an end)');
  if (name.startsWith('/')) return name;
  let valid = !/[\\%/?#@\s]/.test(name);
  try {
    valid &&= new URL(`http://${name.includes(':') ? `[${name}]` : name}/`).hostname !== '';
  } catch {
    valid = false;
  }
  if (!valid) throw fail('host', `${redactor.show(name)} is not a valid host name, IP address or socket directory`);
  return name;
}

/** libpq's keyword/value form: `key = value` pairs, values optionally single-quoted with \' and \\ escapes. */
function tokenizeKeywords(raw: string, redactor: Redactor): QueryParam[] {
  const pairs: QueryParam[] = [];
  const space = (c: string | undefined) => c !== undefined && /\s/.test(c);
  let i = 0;
  while (i < raw.length) {
    if (space(raw[i])) {
      i++;
      continue;
    }
    const keyStart = i;
    while (i < raw.length && raw[i] !== '=' && !space(raw[i])) i++;
    const key = raw.slice(keyStart, i);
    while (space(raw[i])) i++;
    if (raw[i] !== '=') {
      const afterPassword = pairs.at(-1)?.key.endsWith('password') ? ` (a value with spaces must be quoted: password='a b')` : '';
      throw fail('syntax', `${redactor.show(key)} is not followed by '='${afterPassword}`);
    }
    if (key === '') throw fail('syntax', `a '=' has no parameter name before it`);
    i++;
    while (space(raw[i])) i++;
    const valueStart = i;
    let value = '';
    const quoted = raw[i] === "'";
    if (quoted) i++;
    for (;;) {
      if (i >= raw.length) {
        if (quoted) throw fail('syntax', `the quoted value of ${redactor.show(key)} has no closing quote (write a quote inside a value as \\')`);
        break;
      }
      const c = raw[i]!;
      if (quoted ? c === "'" : space(c)) {
        if (quoted) i++;
        break;
      }
      if (c === '\\' && i + 1 < raw.length) i++;
      value += raw[i++];
    }
    pairs.push({ key, value, valueSpan: [valueStart, i] });
  }
  return pairs;
}
