/**
 * CLI: `node --import tsx test/support/mongo-wire/main.ts --port 0 [--host h] [--user u --password p [--auth-db admin]] [--verbose]`
 * Prints exactly one JSON line `{"ready":true,"url":...,"pid":...}` on stdout
 * once listening (parents read it to learn the port); logs go to stderr.
 */
import { startMongoWireServer } from './server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const user = arg('user');
  const password = arg('password');
  if ((user === undefined) !== (password === undefined)) throw new Error('--user and --password go together');
  const server = await startMongoWireServer({
    port: Number(arg('port') ?? 0),
    host: arg('host'),
    users: user !== undefined && password !== undefined ? [{ user, password, db: arg('auth-db') ?? 'admin' }] : undefined,
    log: process.argv.includes('--verbose') ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  process.stdout.write(`${JSON.stringify({ ready: true, url: server.url, pid: process.pid })}\n`);
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`mongo-wire: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
