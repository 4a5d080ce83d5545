/**
 * Starts the suite's shared services and keeps them up until Ctrl-C, printing the environment
 * that points a single test file at them:
 *
 *   node --import tsx test/support/harness/serve-services.ts > /tmp/services.env &
 *   set -a; . /tmp/services.env; set +a; (cd server && bun test test/databases.test.ts)
 */
import { startSharedServices } from './shared-services';

void startSharedServices((line) => console.error(`[services] ${line}`)).then((services) => {
  for (const [name, value] of Object.entries(services.env)) console.log(`${name}='${value.replace(/'/g, "'\\''")}'`);
  console.error('[services] ready; Ctrl-C stops them');
  const stop = () => void services.stop().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
