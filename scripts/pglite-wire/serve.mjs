// npm start's stand-in PostgreSQL when the machine has no PostgreSQL server binaries: an embedded
// PGlite (PostgreSQL compiled to WebAssembly) kept in a folder, served over the PostgreSQL wire
// protocol on a loopback port, so the platform and the explorer talk to it with `pg` like to any
// PostgreSQL. Queries run one at a time (PGlite is single-threaded); enough for a demo.
//   node scripts/pglite-wire/serve.mjs --data <folder> --port <port>
// Prints one JSON line once it listens; stops on SIGINT/SIGTERM or when standard input closes.
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { values } = parseArgs({ options: { data: { type: 'string' }, port: { type: 'string' } } });
if (!values.data || !values.port) {
  console.error('usage: node scripts/pglite-wire/serve.mjs --data <folder> --port <port>');
  process.exit(2);
}
mkdirSync(values.data, { recursive: true, mode: 0o700 });
const db = await PGlite.create({ dataDir: values.data });
// The platform keeps a small pool and the explorer its own: more than the default single connection.
const server = new PGLiteSocketServer({ db, port: Number(values.port), host: '127.0.0.1', maxConnections: 32 });
await server.start();
console.log(JSON.stringify({ listening: Number(values.port), postgres: (await db.query('SHOW server_version')).rows[0].server_version }));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.stdin.on('data', () => undefined);
process.stdin.once('end', stop);
process.stdin.resume();
