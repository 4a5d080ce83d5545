import { runCommand } from './cli/commands';
import { ConfigError, loadConfig } from './config';
import { redactText } from './logger';
import { serve } from './serve';

/**
 * `bun run src/index.ts` serves the platform API; `bun run src/index.ts <command>` runs an
 * administration command (demo, token, user, org, project, member, jwt, rotate-keys, migrate).
 * The same file, bundled (dist/server/index.cjs), runs on Node too.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const argv = process.argv.slice(2);
  // `serve` is the default command; its one option may come alone (`index.ts --until-stdin-closes`).
  const [command, ...args] = argv[0]?.startsWith('--until') ? ['serve', ...argv] : argv;
  if (!command || command === 'serve') return serve(config, { untilStdinCloses: args.includes('--until-stdin-closes') });
  process.exitCode = await runCommand(command, args, config);
}

main().catch((error: unknown) => {
  const message = redactText(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  console.error(JSON.stringify({ timestamp: new Date().toISOString(), level: 'error', service: 'server', message }));
  process.exit(1);
});
