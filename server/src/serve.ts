import type { Config } from './config';
import { createPlatform } from './platform';

/**
 * Serves the platform API until SIGINT/SIGTERM, then shuts down gracefully: stop accepting,
 * let in-flight requests finish (bounded), close the pools and the platform database.
 */
export async function serve(config: Config): Promise<void> {
  const platform = await createPlatform(config);
  const server = Bun.serve({ port: config.PORT, hostname: config.HOST, fetch: platform.app.fetch });
  platform.log.info(`listening on http://${server.hostname}:${server.port}`, {
    port: server.port,
    platformDatabase: platform.sql.kind,
    apiDocument: `http://${server.hostname}:${server.port}/api/platform/openapi.json`,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    platform.log.info(`${signal} received: draining in-flight requests`);
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
