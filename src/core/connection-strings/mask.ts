import { ConnectionStringError, sensitiveRegions, type EngineType, type Span } from './errors';
import { parseMongoWithSpans } from './mongodb';
import { looksLikeKeywordForm, parsePostgresWithSpans } from './postgres';
import { parseRedisWithSpans } from './redis';
import { own, SCHEME_ENGINE, schemeOf, type ParseResult } from './uri';

export const MASK = '****';
export const UNPARSEABLE = '<unparseable connection string>';

const PARSERS: Record<EngineType, (raw: string) => ParseResult<unknown>> = {
  postgres: parsePostgresWithSpans,
  redis: parseRedisWithSpans,
  mongodb: parseMongoWithSpans,
};

/**
 * The connection string with every password replaced by `****` and everything else kept, for logs,
 * tooltips and API answers. Never throws and never returns a password:
 * - a string that parses has exactly its password spans replaced (user info, `password=`,
 *   `sentinelPassword=`, `sslpassword=`, `proxyPassword=`..., libpq `password='...'`);
 * - a string with a scheme that does not parse has everything that could be a password under any
 *   reading replaced (from the first ':' of the user info to the LAST '@', and password-like parameters);
 * - anything else (no scheme, not libpq's key=value form: possibly a pasted password) gives
 *   `<unparseable connection string>`.
 */
export function maskConnectionString(value: string): string {
  try {
    return maskAwsToken(mask(String(value).trim()));
  } catch {
    return UNPARSEABLE;
  }
}

function mask(raw: string): string {
  if (raw === '') return '';
  const scheme = schemeOf(raw);
  const engine = scheme === undefined ? (looksLikeKeywordForm(raw) ? 'postgres' : undefined) : own(SCHEME_ENGINE, scheme);
  if (engine !== undefined) {
    try {
      return replaceSpans(raw, PARSERS[engine](raw).secretSpans, () => MASK);
    } catch (error) {
      if (!(error instanceof ConnectionStringError)) throw error;
    }
  }
  if (scheme === undefined && !looksLikeKeywordForm(raw)) return UNPARSEABLE;
  const userInfoStart = scheme === undefined ? -1 : raw.indexOf('://') + 3;
  return replaceSpans(raw, sensitiveRegions(raw), (text, start) => {
    if (start !== userInfoStart) return MASK;
    // Keep a plain user name: it is what tells two masked strings apart.
    const colon = text.indexOf(':');
    return colon > 0 && !/[/?#@\s]/.test(text.slice(0, colon)) ? `${text.slice(0, colon + 1)}${MASK}` : MASK;
  });
}

/** Replaces non-empty spans (merged when they overlap) from the end, so earlier offsets stay valid. */
function replaceSpans(raw: string, spans: readonly Span[], by: (text: string, start: number) => string): string {
  const merged: Array<[number, number]> = [];
  for (const [s, e] of [...spans].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  let out = raw;
  for (const [s, e] of merged.reverse()) out = out.slice(0, s) + by(raw.slice(s, e), s) + out.slice(e);
  return out;
}

/** MONGODB-AWS can carry a session token inside authMechanismProperties. */
function maskAwsToken(text: string): string {
  return text.replace(/(AWS_SESSION_TOKEN(?::|%3A))[^,&\s]*/gi, `$1${MASK}`);
}
