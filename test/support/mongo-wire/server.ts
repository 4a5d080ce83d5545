/**
 * A MongoDB wire-protocol test server: the official driver connects to it
 * over real TCP. Everything is in memory; each connection's requests are
 * answered strictly in order, and long scans pause between slices so other
 * connections (a killOp, say) are served meanwhile.
 */
import net from 'node:net';
import { runCommand } from './commands';
import { makeCredentials, type UserSpec } from './commands/auth';
import { Cursors, type ConnState, type ServerState } from './context';
import { Operations } from './ops';
import { Store } from './store';
import { encodeReply, MAX_MESSAGE_BYTES, parseMessage } from './wire';

export type { UserSpec } from './commands/auth';

export interface MongoWireServerOptions {
  /** Defaults to 0 (a free port). */
  port?: number;
  host?: string;
  /** When given, connections must authenticate with SCRAM before running commands. */
  users?: UserSpec[];
  log?: (line: string) => void;
}

export interface MongoWireServer {
  url: string;
  port: number;
  host: string;
  store: Store;
  close(): Promise<void>;
}

export async function startMongoWireServer(opts: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => {});
  const state: ServerState = {
    store: new Store(), cursors: new Cursors(), ops: new Operations(), creds: makeCredentials(opts.users),
    counters: { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 },
    connections: { current: 0, totalCreated: 0 }, startedAt: Date.now(), host, port: 0,
  };
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    state.connections.current++;
    const conn: ConnState = { id: ++state.connections.totalCreated };
    socket.setNoDelay(true);
    // Chunks are only joined once a whole message has arrived, so large
    // inserts are not re-copied on every 64 KiB read.
    let chunks: Buffer[] = [];
    let buffered = 0;
    // Replies go out in request order, even when a command answers later than the next one arrives.
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      buffered += chunk.length;
      while (buffered >= 4) {
        if (chunks[0].length < 4) chunks = [Buffer.concat(chunks)];
        const length = chunks[0].readInt32LE(0);
        if (length < 16 || length > MAX_MESSAGE_BYTES) {
          log(`conn${conn.id} invalid message length ${length}; closing`);
          socket.destroy();
          return;
        }
        if (buffered < length) return;
        const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        const frame = all.subarray(0, length);
        chunks = all.length > length ? [all.subarray(length)] : [];
        buffered -= length;
        try {
          const req = parseMessage(frame);
          const name = Object.keys(req.body)[0];
          log(`conn${conn.id} ${req.db}.${name}`);
          queue = queue
            .then(async () => {
              const reply = await runCommand(req.body, { db: req.db, server: state, conn });
              if (!req.moreToCome && !socket.destroyed) socket.write(encodeReply(req, reply));
            })
            .catch((err: unknown) => {
              log(`conn${conn.id} could not answer: ${(err as Error).message}; closing`);
              socket.destroy();
            });
        } catch (err) {
          // Only framing errors reach here (commands answer errors themselves).
          log(`conn${conn.id} protocol error: ${(err as Error).message}; closing`);
          socket.destroy();
          return;
        }
      }
    });
    socket.on('error', (err) => log(`conn${conn.id} socket error: ${err.message}`));
    socket.on('close', () => {
      sockets.delete(socket);
      state.connections.current--;
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  state.port = port;
  log(`listening on ${host}:${port}`);

  return {
    url: `mongodb://${host}:${port}/`,
    port,
    host,
    store: state.store,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
