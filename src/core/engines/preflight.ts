/**
 * Checks made before a driver connects, so that two failures end at once with their real cause
 * instead of a driver's timeout: a server that does not speak TLS, and host names that do not exist.
 */
import { lookup } from 'node:dns/promises';
import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { ENGINE_LABEL, type EngineType, type HostPort } from '../connection-strings';
import { EngineError } from './errors';
import { describeTlsFailure, NO_TLS_ANSWER, TLS_ANSWER_MS, type TlsFailure } from './tls-errors';

export { describeTlsFailure, NO_TLS_ANSWER, TLS_ANSWER_MS, type TlsFailure } from './tls-errors';

/**
 * Whether the server at host:port speaks TLS at all. A plain Redis or MongoDB that receives a TLS
 * handshake says nothing and keeps the connection open, so a driver would wait its whole connect
 * timeout and then report a bare "timeout"; this check gives up after {@link TLS_ANSWER_MS} of
 * silence once TCP is connected. It only asks for a TLS answer (certificates are the driver's to
 * verify, with the options it was given); a TCP failure is left to the driver to report too.
 */
export function checkSpeaksTls(host: string, port: number, options: { connectTimeoutMs: number; answerMs?: number }): Promise<TlsFailure | undefined> {
  return new Promise((resolve) => {
    let secure: TLSSocket | undefined;
    let settled = false;
    const socket = connectTcp({ host, port });
    let timer = setTimeout(() => done(undefined), options.connectTimeoutMs);
    function done(outcome: TlsFailure | undefined) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      secure?.destroy();
      socket.destroy();
      resolve(outcome);
    }
    socket.once('error', () => done(undefined));
    socket.once('connect', () => {
      clearTimeout(timer);
      timer = setTimeout(() => done({ reason: 'no-tls', message: NO_TLS_ANSWER }), options.answerMs ?? TLS_ANSWER_MS);
      const handshake = connectTls({ socket, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
      secure = handshake;
      handshake.once('secureConnect', () => done(undefined));
      handshake.once('error', (error: Error) => done(describeTlsFailure(error) ?? { reason: 'no-tls', message: NO_TLS_ANSWER }));
    });
  });
}

/**
 * Which of `hosts` do not resolve (ENOTFOUND). A host whose lookup is merely slow or fails for
 * another reason counts as resolvable: the driver will try it and say what happened.
 */
export async function unresolvableHosts(hosts: string[], boundMs: number): Promise<string[]> {
  const failed = await Promise.all(
    hosts.map(async (host) => {
      if (isIP(host.replace(/^\[|\]$/g, '')) || host.includes('/')) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const slow = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), boundMs)));
      const looked = lookup(host).then(
        () => false,
        (error: NodeJS.ErrnoException) => error.code === 'ENOTFOUND',
      );
      try {
        return await Promise.race([looked, slow]);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return hosts.filter((_, i) => failed[i]);
}

/** Throws the engine's error in words when the server at host:port does not answer TLS. */
export async function assertSpeaksTls(engine: EngineType, host: string, port: number, connectTimeoutMs: number): Promise<void> {
  const failure = await checkSpeaksTls(host, port, { connectTimeoutMs, answerMs: Math.min(TLS_ANSWER_MS, connectTimeoutMs) });
  if (failure) throw new EngineError('unreachable', `${ENGINE_LABEL[engine]} at ${host}:${port}: ${failure.message}`);
}

/**
 * Throws at once when no host of a list resolves, instead of letting a driver retry names that
 * cannot exist until its server-selection timeout (a replica set of mistyped hosts took 9 s).
 */
export async function assertHostsResolve(engine: EngineType, hosts: HostPort[], boundMs: number): Promise<void> {
  const names = [...new Set(hosts.map((h) => h.host))];
  const failed = await unresolvableHosts(names, boundMs);
  if (failed.length === 0 || failed.length < names.length) return;
  const list = hosts.map((h) => `${h.host}:${h.port}`).join(', ');
  throw new EngineError(
    'unreachable',
    `${ENGINE_LABEL[engine]} host${names.length > 1 ? 's' : ''} ${list} could not be resolved: check the host names (internal *.railway.internal hosts resolve only inside the platform)`,
  );
}
