/**
 * Why a request never got an HTTP answer, in words: fetch only says "fetch failed" and hides the
 * socket's error code in `cause` (sometimes an AggregateError of one attempt per address), so the
 * chain is walked for the first code that names the problem: refused, DNS, TLS, timeout, reset.
 */
export interface NetworkFailure {
  /** `timeout` when the platform did not answer in time, `offline` for every other way of not reaching it. */
  kind: 'offline' | 'timeout';
  /** One short phrase: "connection refused (nothing listens on 127.0.0.1:3001)". */
  cause: string;
  /** The system or library code found, e.g. ECONNREFUSED, when there was one. */
  code?: string;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  reason?: unknown;
}

/** Every error of the chain: the error, its causes, and the attempts of an AggregateError. */
function chain(error: unknown, depth = 0): ErrorLike[] {
  if (depth > 6 || typeof error !== 'object' || error === null) return [];
  const e = error as ErrorLike;
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((inner) => chain(inner, depth + 1)) : [];
  return [e, ...chain(e.cause, depth + 1), ...nested];
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;

function tlsCause(code: string, message: string, where: string): string {
  if (/wrong version number|packet length too long|unknown protocol|http request/i.test(message)) {
    return `TLS handshake failed: ${where} does not speak TLS (is the URL http:// rather than https://?)`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return `TLS: the certificate of ${where} is not valid for that host name (${code})`;
  if (code === 'CERT_HAS_EXPIRED') return `TLS: the certificate of ${where} has expired (${code})`;
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') return `TLS: the certificate of ${where} is self-signed and not trusted (${code})`;
  if (code.startsWith('UNABLE_TO_') || code.startsWith('CERT_')) return `TLS: the certificate of ${where} is not trusted (${code})`;
  return `TLS handshake with ${where} failed (${code})`;
}

/** Names the cause of a failed fetch to `url`; `where` defaults to the URL's host and port. */
export function describeNetworkFailure(error: unknown, url: string): NetworkFailure {
  let where = url;
  try {
    const parsed = new URL(url);
    where = parsed.port ? parsed.host : `${parsed.hostname}:${parsed.protocol === 'https:' ? 443 : 80}`;
  } catch {
    /* keep the text as given */
  }
  const links = chain(error);
  const found = links.find((e) => typeof e.code === 'string' && e.code !== 'UND_ERR' && e.code.length > 0);
  const code = found ? String(found.code) : undefined;
  const message = links.map((e) => (typeof e.message === 'string' ? e.message : '')).join(' | ');
  const host = where.replace(/:\d+$/, '');
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'offline', code, cause: `connection refused: nothing listens on ${where}` };
    case 'ENOTFOUND':
      return { kind: 'offline', code, cause: `DNS: the host name ${host} was not found` };
    case 'EAI_AGAIN':
      return { kind: 'offline', code, cause: `DNS: the host name ${host} could not be looked up (no DNS answer)` };
    case 'ECONNRESET':
      return { kind: 'offline', code, cause: `the connection to ${where} was reset` };
    case 'UND_ERR_SOCKET':
      return { kind: 'offline', code, cause: `${where} closed the connection before answering` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'offline', code, cause: `no network route to ${where} (${code})` };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { kind: 'timeout', code, cause: `connecting to ${where} timed out` };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { kind: 'timeout', code, cause: `${where} accepted the connection but did not answer in time` };
  }
  if (code && TLS_CODE.test(code)) return { kind: 'offline', code, cause: tlsCause(code, message, where) };
  if (/certificate|ssl|tls/i.test(message)) return { kind: 'offline', code, cause: tlsCause(code ?? 'TLS', message, where) };
  if (code) return { kind: 'offline', code, cause: `${code} while connecting to ${where}` };
  const text = links.map((e) => (typeof e.message === 'string' ? e.message : '')).filter((m) => m && m !== 'fetch failed')[0];
  return { kind: 'offline', cause: text ? text.split('\n')[0]!.slice(0, 200) : `no answer from ${where}` };
}
