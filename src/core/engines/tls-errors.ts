/**
 * TLS failures in words: which of a driver's (or Node's) TLS errors mean an unknown CA, a
 * certificate for another host, an expired one, or a server that does not speak TLS at all.
 */
/** What a TLS connection to a plain server ends with (the words the issue and the README use). */
export const NO_TLS_ANSWER = 'the server did not answer TLS: it may not have TLS enabled (try redis:// or sslmode=disable)';

/** How long a server may take to answer a TLS handshake once its TCP connection is up. */
export const TLS_ANSWER_MS = 3_000;

export type TlsFailureReason = 'no-tls' | 'unknown-ca' | 'host-mismatch' | 'expired' | 'not-yet-valid' | 'other';

export interface TlsFailure {
  reason: TlsFailureReason;
  /** Says what is wrong with the server's TLS, in words a person can act on. */
  message: string;
}

const unknownCa = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

const untrusted = (why: string) =>
  `its TLS certificate is not trusted: ${why} (unknown CA): trust the CA that signed it on this machine, or use the server's proper certificate`;

/**
 * The TLS problem an error describes, if it describes one: a certificate signed by an unknown CA,
 * issued for another host name, expired, or a server that answered a TLS handshake with something
 * else than TLS (wrong version number, closed the connection, PostgreSQL's "no SSL" answer).
 */
export function describeTlsFailure(error: unknown): TlsFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; message?: unknown; reason?: unknown };
  const code = String(e.code ?? '');
  const text = String(e.message ?? '');
  if (unknownCa.has(code) || /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate/i.test(text)) {
    return { reason: 'unknown-ca', message: untrusted(code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || /self[- ]signed/i.test(text) ? 'it is self-signed' : 'no trusted CA signed it') };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match certificate's altnames|Hostname\/IP does not match/i.test(text)) {
    const detail = /: (.*)$/.exec(text)?.[1];
    return { reason: 'host-mismatch', message: `its TLS certificate is for another host name (host mismatch${detail ? `: ${detail}` : ''}): connect with a name the certificate lists` };
  }
  if (code === 'CERT_HAS_EXPIRED' || /certificate has expired/i.test(text)) {
    return { reason: 'expired', message: 'its TLS certificate has expired: the server needs a renewed certificate' };
  }
  if (code === 'CERT_NOT_YET_VALID' || /certificate is not yet valid/i.test(text)) {
    return { reason: 'not-yet-valid', message: "its TLS certificate is not valid yet: check the server's certificate and both clocks" };
  }
  if (
    /ERR_SSL_WRONG_VERSION_NUMBER|ERR_SSL_PACKET_LENGTH_TOO_LONG|ERR_SSL_UNKNOWN_PROTOCOL|ERR_SSL_HTTP_REQUEST/.test(code) ||
    /wrong version number|packet length too long|unknown protocol|before secure TLS connection was established|does not support SSL connections/i.test(text)
  ) {
    return { reason: 'no-tls', message: NO_TLS_ANSWER };
  }
  return undefined;
}
