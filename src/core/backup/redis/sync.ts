import { createWriteStream } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { EngineError } from '../../engines/errors';

/** How to reach one Redis server for the replication handshake. */
export interface SyncEndpoint {
  /** The address to connect to (pinned by the host policy on the server). */
  host: string;
  port: number;
  /** TLS options (certificates, servername) when the connection is rediss://. */
  tls?: ConnectionOptions;
  user?: string;
  password?: string;
  connectTimeoutMs: number;
  /** Without a byte from the server for this long, the transfer is abandoned. */
  idleTimeoutMs?: number;
}

/** The server refused the replication commands (an ACL without SYNC, a managed service): fall back to DUMP. */
export class SyncRefused extends Error {
  override readonly name = 'SyncRefused';
}

const EOF_MARK = 40;

const resp = (...args: string[]) => Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.map((a) => Buffer.concat([Buffer.from(`$${Buffer.byteLength(a)}\r\n`), Buffer.from(a), Buffer.from('\r\n')]))]);

/**
 * Takes an RDB snapshot the way `redis-cli --rdb` does, on a connection of our own: AUTH,
 * `REPLCONF capa eof`, `REPLCONF rdb-only 1`, `SYNC`, then the bulk transfer (`$<length>` or, for a
 * diskless master, `$EOF:<40-byte mark>` … mark), written to `path`. The server makes the snapshot
 * with a fork (BGSAVE), so it is one point in time and costs the server what a replica's first
 * sync costs. The password travels inside the protocol only.
 */
export function syncRdb(endpoint: SyncEndpoint, path: string, options: { signal?: AbortSignal; onBytes?: (total: number, expected?: number) => void } = {}): Promise<{ bytes: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = endpoint.tls
      ? connectTls({ host: endpoint.host, port: endpoint.port, ...endpoint.tls })
      : connectTcp({ host: endpoint.host, port: endpoint.port });
    const file = createWriteStream(path, { mode: 0o600 });
    let settled = false;
    let buffer: Buffer = Buffer.alloc(0);
    let step: 'auth' | 'capa' | 'rdbonly' | 'sync' | 'payload' = endpoint.password !== undefined ? 'auth' : 'capa';
    let expected: number | undefined;
    let mark: Buffer | undefined;
    let tail: Buffer = Buffer.alloc(0);
    let written = 0;
    const connectTimer = setTimeout(() => fail(new EngineError('timeout', `Redis at ${endpoint.host}:${endpoint.port} did not accept a connection within ${Math.round(endpoint.connectTimeoutMs / 1000)} s`, undefined, true)), endpoint.connectTimeoutMs);

    const finishFile = () => new Promise<void>((done) => file.end(done));
    function cleanup(): void {
      clearTimeout(connectTimer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      socket.destroy();
    }
    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      cleanup();
      file.destroy();
      reject(error);
    }
    function onAbort(): void {
      fail(new EngineError('cancelled', 'Redis: the backup was cancelled'));
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) return onAbort();

    const send = () => {
      if (step === 'auth') socket.write(endpoint.user ? resp('AUTH', endpoint.user, endpoint.password!) : resp('AUTH', endpoint.password!));
      else if (step === 'capa') socket.write(resp('REPLCONF', 'capa', 'eof'));
      else if (step === 'rdbonly') socket.write(resp('REPLCONF', 'rdb-only', '1'));
      else if (step === 'sync') socket.write('SYNC\r\n');
    };
    socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      socket.setTimeout(endpoint.idleTimeoutMs ?? 120_000);
      send();
    });
    socket.on('timeout', () => fail(new EngineError('timeout', `Redis at ${endpoint.host}:${endpoint.port} stopped sending the snapshot (${written} bytes received)`)));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      fail(new EngineError(/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH/.test(code) ? 'unreachable' : 'server', `Redis at ${endpoint.host}:${endpoint.port}: ${error.message}`));
    });
    socket.on('close', () => {
      if (settled) return;
      if (step === 'sync') fail(new SyncRefused('the server closed the connection when asked for SYNC'));
      else if (step === 'payload') fail(new EngineError('unreachable', `the connection to Redis at ${endpoint.host}:${endpoint.port} closed during the snapshot's transfer (${written}${expected ? ` of ${expected}` : ''} bytes)`));
      else fail(new EngineError('unreachable', `Redis at ${endpoint.host}:${endpoint.port} closed the connection`));
    });

    /** One reply line (without CRLF), or undefined while incomplete. Leading newlines are keep-alives. */
    const line = (): string | undefined => {
      let start = 0;
      while (start < buffer.length && buffer[start] === 0x0a) start++;
      const end = buffer.indexOf('\r\n', start);
      if (end < 0) {
        buffer = buffer.subarray(start);
        return undefined;
      }
      const text = buffer.subarray(start, end).toString('utf8');
      buffer = buffer.subarray(end + 2);
      return text;
    };

    const payload = (chunk: Buffer) => {
      let data = chunk;
      if (expected !== undefined) data = data.subarray(0, Math.max(0, expected - written));
      written += data.length;
      if (mark) tail = Buffer.concat([tail, data]).subarray(-EOF_MARK);
      if (!file.write(data)) {
        socket.pause();
        file.once('drain', () => socket.resume());
      }
      options.onBytes?.(mark ? Math.max(0, written - EOF_MARK) : written, expected);
      const done = expected !== undefined ? written >= expected : tail.length === EOF_MARK && tail.equals(mark!);
      if (!done || settled) return;
      settled = true;
      cleanup();
      const bytes = mark ? written - EOF_MARK : written;
      void finishFile()
        .then(() => (mark ? truncate(path, bytes) : undefined))
        .then(() => resolve({ bytes }), reject);
    };

    socket.on('data', (chunk: Buffer) => {
      if (step === 'payload') return payload(chunk);
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        const reply = line();
        if (reply === undefined) return;
        if (step === 'auth') {
          if (!reply.startsWith('+')) return fail(new EngineError('auth', `Redis refused the credentials: ${reply.slice(1, 200)}`));
          step = 'capa';
          send();
        } else if (step === 'capa' || step === 'rdbonly') {
          // Non-fatal, as for redis-cli: older servers do not know these.
          step = step === 'capa' ? 'rdbonly' : 'sync';
          send();
        } else if (step === 'sync') {
          if (reply.startsWith('-')) return fail(new SyncRefused(reply.slice(1, 300)));
          if (reply.startsWith('+')) continue; // +FULLRESYNC from servers that answer SYNC like PSYNC
          if (!reply.startsWith('$')) return fail(new EngineError('server', `Redis answered SYNC with something unexpected (${reply.slice(0, 40)})`));
          if (reply.startsWith('$EOF:')) mark = Buffer.from(reply.slice(5), 'latin1');
          else expected = Number(reply.slice(1));
          if (mark && mark.length !== EOF_MARK) return fail(new EngineError('server', 'Redis announced an end-of-transfer mark of the wrong length'));
          if (expected !== undefined && !Number.isSafeInteger(expected)) return fail(new EngineError('server', 'Redis announced a snapshot of an unreadable length'));
          step = 'payload';
          const rest = buffer;
          buffer = Buffer.alloc(0);
          if (rest.length) payload(rest);
          else if (expected === 0) payload(Buffer.alloc(0));
          return;
        }
      }
    });
  });
}
