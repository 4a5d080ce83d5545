import { serveAdminChannel, type AdminChannel } from './cli/admin-channel';
import type { Config } from './config';
import { listen, type Listening } from './listen';
import { createPlatform } from './platform';

export interface ServeOptions {
  /**
   * Stop when standard input closes: how a parent that started the server (the extension's "Start
   * Local Platform", `npm start`) takes it along when it ends, even when it ends without a word.
   */
  untilStdinCloses?: boolean;
}

/** The one sentence that fixes a port someone else listens on. */
function portTaken(config: Config, error: unknown): Error {
  const code = (error as { code?: string })?.code ?? '';
  if (code === 'EADDRINUSE' || /address.*in use|EADDRINUSE/i.test(String((error as Error)?.message))) {
    return new Error(`port ${config.PORT} on ${config.HOST} is already in use by another program: stop it, or start this server with another PORT (for example PORT=${config.PORT + 1})`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Serves the platform API until SIGINT/SIGTERM, then shuts down gracefully: stop accepting,
 * let in-flight requests finish (bounded), close the pools and the platform database. On the
 * embedded database the server owns DATA_DIR (its lock) and takes administration commands through
 * a local channel, so `npm run server -- demo` in another terminal never opens the folder itself.
 * Runs on Bun and on Node alike (see listen.ts).
 */
export async function serve(config: Config, options: ServeOptions = {}): Promise<void> {
  const platform = await createPlatform(config, { owner: { role: 'server' } });
  let server: Listening;
  try {
    server = await listen({ port: config.PORT, hostname: config.HOST }, platform.app.fetch);
  } catch (error) {
    await platform.close();
    throw portTaken(config, error);
  }
  const url = `http://localhost:${server.port}`;
  let admin: AdminChannel | undefined;
  const { lock } = platform.sql;
  if (lock) {
    admin = await serveAdminChannel({ platform, log: platform.log.child('admin'), url: () => url }, config.dataDir);
    lock.announce(admin.announcement);
  }
  platform.log.info(`listening on http://${server.hostname}:${server.port}`, {
    port: server.port,
    runtime: server.runtime,
    platformDatabase: platform.sql.kind,
    apiDocument: `http://${server.hostname}:${server.port}/api/platform/openapi.json`,
  });

  // A rejection nobody awaited is a bug to log, not a reason to drop every request in flight.
  process.on('unhandledRejection', (reason) => platform.log.error('unhandled rejection', { error: reason instanceof Error ? reason.message : String(reason) }));

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    platform.log.info(`${reason}: draining in-flight requests`);
    await admin?.stop();
    const drained = server.stop(false);
    const bound = new Promise((resolve) => setTimeout(resolve, 10_000));
    await Promise.race([drained, bound]);
    await platform.close();
    platform.log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT received'));
  process.on('SIGTERM', () => void shutdown('SIGTERM received'));
  if (options.untilStdinCloses) {
    process.stdin.on('data', () => undefined);
    process.stdin.once('end', () => void shutdown('standard input closed (the process that started this server ended)'));
    process.stdin.once('error', () => void shutdown('standard input failed'));
    process.stdin.resume();
  }
}
