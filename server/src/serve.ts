import { serveAdminChannel, type AdminChannel } from './cli/admin-channel';
import type { Config } from './config';
import { createPlatform } from './platform';

/**
 * Serves the platform API until SIGINT/SIGTERM, then shuts down gracefully: stop accepting,
 * let in-flight requests finish (bounded), close the pools and the platform database. On the
 * embedded database the server owns DATA_DIR (its lock) and takes administration commands through
 * a local channel, so `npm run server -- demo` in another terminal never opens the folder itself.
 */
export async function serve(config: Config): Promise<void> {
  const platform = await createPlatform(config, { owner: { role: 'server' } });
  const server = Bun.serve({ port: config.PORT, hostname: config.HOST, fetch: platform.app.fetch });
  const url = `http://localhost:${server.port}`;
  let admin: AdminChannel | undefined;
  const { lock } = platform.sql;
  if (lock) {
    admin = serveAdminChannel({ platform, log: platform.log.child('admin'), url: () => url }, config.dataDir);
    lock.announce(admin.announcement);
  }
  platform.log.info(`listening on http://${server.hostname}:${server.port}`, {
    port: server.port,
    platformDatabase: platform.sql.kind,
    apiDocument: `http://${server.hostname}:${server.port}/api/platform/openapi.json`,
  });

  // A rejection nobody awaited is a bug to log, not a reason to drop every request in flight.
  process.on('unhandledRejection', (reason) => platform.log.error('unhandled rejection', { error: reason instanceof Error ? reason.message : String(reason) }));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    platform.log.info(`${signal} received: draining in-flight requests`);
    admin?.stop();
    const drained = server.stop(false);
    const bound = new Promise((resolve) => setTimeout(resolve, 10_000));
    await Promise.race([drained, bound]);
    await platform.close();
    platform.log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
