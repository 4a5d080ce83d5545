import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback that a test puts between a client and a real server to break the line on
 * purpose: `blackhole` keeps every connection open and swallows every byte in both directions (a
 * server that accepts and never answers, or a network that went silent), `cutAll` resets every open
 * connection (a dropped link, a restarted load balancer), and `cutWhen` resets a connection as soon
 * as the client sends bytes containing a marker (a MongoDB `getMore`: a cursor dropped mid-way).
 */
export interface FaultProxy {
  readonly port: number;
  mode: 'pass' | 'blackhole';
  /** Connections open right now (client side). */
  readonly open: number;
  /** Resets every open connection. */
  cutAll(): void;
  /** Resets the next connection whose client sends `marker`, once; resolves when it happened. */
  cutWhen(marker: string): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let mode: FaultProxy['mode'] = 'pass';
  let trigger: { marker: Buffer; fired: () => void } | undefined;

  const end = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };
  const server: Server = createServer((client) => {
    const pair: Pair = { client };
    pairs.add(pair);
    client.on('error', () => end(pair));
    client.on('close', () => end(pair));
    if (mode === 'blackhole') {
      client.on('data', () => undefined);
      return;
    }
    const pending: Buffer[] = [];
    const upstream = connect(target);
    pair.upstream = upstream;
    upstream.on('error', () => end(pair));
    upstream.on('close', () => end(pair));
    upstream.on('connect', () => {
      for (const chunk of pending.splice(0)) upstream.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole') return;
      if (trigger && chunk.includes(trigger.marker)) {
        const { fired } = trigger;
        trigger = undefined;
        end(pair);
        fired();
        return;
      }
      if (upstream.connecting) pending.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (mode !== 'blackhole') client.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the fault proxy has no port');

  return {
    port: address.port,
    get mode() {
      return mode;
    },
    set mode(value) {
      mode = value;
    },
    get open() {
      return pairs.size;
    },
    cutAll: () => {
      for (const pair of [...pairs]) end(pair);
    },
    cutWhen: (marker) =>
      new Promise<void>((fired) => {
        trigger = { marker: Buffer.from(marker), fired };
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of [...pairs]) end(pair);
        server.close(() => resolve());
      }),
  };
}

/** Rewrites a connection string's host:port to go through a proxy on 127.0.0.1. */
export function throughProxy(connectionString: string, proxy: { port: number }): string {
  const url = new URL(connectionString);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}
