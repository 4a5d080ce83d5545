import { connect } from 'node:net';
import type { ParsedConnection } from '../../core/connection-strings';

/**
 * Whether the database's first host accepts a TCP connection from this machine within `timeoutMs`.
 * It says nothing about credentials; it only tells a host on the platform's private network (or a
 * firewalled one) from one this machine can reach. Unix sockets count as reachable.
 */
export function canReach(parsed: ParsedConnection, timeoutMs = 1500): Promise<boolean> {
  const first = parsed.hosts[0];
  if (!first) return Promise.resolve(false);
  if (first.host.startsWith('/')) return Promise.resolve(true);
  if (parsed.engine === 'mongodb' && parsed.srv) return Promise.resolve(true); // SRV names resolve to other hosts; let the driver decide
  return new Promise((resolve) => {
    const socket = connect({ host: first.host, port: first.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
