import { runCommand } from './cli/commands';
import { ConfigError, loadConfig } from './config';
import { redactText } from './logger';
import { serve } from './serve';

/**
 * `bun run src/index.ts` serves the platform API; `bun run src/index.ts <command>` runs an
 * administration command (demo, token, user, org, project, member, jwt, rotate-keys, migrate).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const [command, ...args] = process.argv.slice(2);
  if (!command || command === 'serve') return serve(config);
  process.exitCode = await runCommand(command, args, config);
}

main().catch((error: unknown) => {
  const message = redactText(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  console.error(JSON.stringify({ timestamp: new Date().toISOString(), level: 'error', service: 'server', message }));
  process.exit(1);
});
