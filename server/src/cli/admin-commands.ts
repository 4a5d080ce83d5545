import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Role } from '../../../src/core/api/types';
import { backupPlatformDatabase } from '../backups/platform-database';
import type { Platform } from '../platform';
import { AdminService } from '../services/admin';

export const usage = `usage: npm run server -- <command> [options]

  (no command)                          serve the platform API on PORT (default 3001)
  demo [--email E] [--org S] [--project R]
                                        create a demo user, organization and project, print a token
  user create --email E [--name N]      add a user
  org create --slug S --owner E [--name N]
  project create --org S --ref R [--name N] [--region X]
  member add --org S --email E --role owner|admin|developer|read_only
  token create --email E [--name N] [--expires-days D]
                                        mint a personal API token (printed once)
  token list [--email E]                list tokens (never their values)
  token revoke <id or ogb_ prefix>      revoke a token
  jwt --email E [--expires-in SECONDS]  sign a platform JWT (needs JWT_SECRET or the embedded default)
  rotate-keys                           re-encrypt every stored secret under ENCRYPTION_KEY
  migrate                               apply pending migrations and exit
  backup-platform                       back up the platform's own database into BACKUP_DIR/platform/
                                        (the embedded one with PGlite's data-directory dump; a
                                        DATABASE_URL one with pg_dump); prints the folder
  restore-platform <folder>             restore the embedded database from such a folder (the server
                                        stopped; its former files are kept beside)

Each command prints one JSON line on stdout; logs go to stderr. While a server runs on the embedded
database (no DATABASE_URL), commands are carried out by that server: only one process opens DATA_DIR.`;

const optionNames = ['email', 'name', 'org', 'slug', 'owner', 'project', 'ref', 'region', 'role', 'expires-days', 'expires-in'] as const;
type OptionName = (typeof optionNames)[number];

/** One administration command, parsed: what the CLI runs itself or sends to the running server. */
export const AdminRequestSchema = z.object({
  /** `demo`, `user create`, `token revoke`… */
  command: z.string().max(40),
  options: z.partialRecord(z.enum(optionNames), z.string().max(500)),
  positionals: z.array(z.string().max(500)).max(4),
});
export type AdminRequest = z.infer<typeof AdminRequestSchema>;

export interface AdminResult {
  /** Printed as one JSON line. */
  output: unknown;
  exitCode: number;
}

/** A command line the CLI cannot run: printed with the usage, exit code 2. */
export class UsageError extends Error {}

interface CommandSpec {
  needs: OptionName[];
  /** Set when the command must not run while a server holds the embedded database: says how to do it instead. */
  whileServing?: string;
}

const specs: Record<string, CommandSpec> = {
  demo: { needs: [] },
  'user create': { needs: ['email'] },
  'org create': { needs: ['slug', 'owner'] },
  'project create': { needs: ['org', 'ref'] },
  'member add': { needs: ['org', 'email', 'role'] },
  'token create': { needs: ['email'] },
  'token list': { needs: [] },
  'token revoke': { needs: [] },
  jwt: { needs: ['email'] },
  'rotate-keys': {
    needs: [],
    whileServing:
      'rotate-keys changes the key the server runs with, so it cannot go through the running server: stop the server, run `npm run server -- rotate-keys` with ENCRYPTION_KEY (new) and ENCRYPTION_KEY_PREVIOUS (old), then start the server with the new ENCRYPTION_KEY',
  },
  'backup-platform': { needs: [] },
  'restore-platform': {
    needs: [],
    whileServing: 'a restore replaces the database the server has open: stop the server, run `npm run server -- restore-platform <folder>`, then start the server again (with the same ENCRYPTION_KEY)',
  },
  migrate: {
    needs: [],
    whileServing: 'the running server applied every migration it knows when it started; to apply newer ones, stop it and start it again (or run `npm run server -- migrate` while it is stopped)',
  },
};

const roles: Role[] = ['owner', 'admin', 'developer', 'read_only'];
const withSubcommand = new Set(['user', 'org', 'project', 'member', 'token']);

/** Parses a command line into a request, checking the options it needs before anything is opened. */
export function parseAdminRequest(command: string, argv: string[]): AdminRequest {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: Record<OptionName, { type: 'string' }> }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: Object.fromEntries(optionNames.map((n) => [n, { type: 'string' as const }])) as Record<OptionName, { type: 'string' }> });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const positionals = [...parsed.positionals];
  const name = withSubcommand.has(command) ? `${command} ${positionals.shift() ?? ''}`.trim() : command;
  const spec = specs[name];
  if (!spec) throw new UsageError(`unknown command: ${name}`);
  for (const option of spec.needs) {
    if (!parsed.values[option]) throw new UsageError(`${name}: --${option} is required`);
  }
  if (name === 'member add' && !roles.includes(parsed.values.role as Role)) throw new Error(`--role must be one of ${roles.join(', ')}`);
  if (name === 'token revoke' && !positionals[0]) throw new Error('token revoke: give the token id or its ogb_ prefix');
  if (name === 'restore-platform' && !positionals[0]) throw new UsageError('restore-platform: give the backup folder (printed by backup-platform)');
  return AdminRequestSchema.parse({ command: name, options: parsed.values, positionals });
}

/** The reason a command may not run through the running server, or undefined when it may. */
export function refusalWhileServing(request: AdminRequest): string | undefined {
  return specs[request.command]?.whileServing;
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown })?.code === '23505';

/** Carries out a parsed command on an open platform (the CLI's own, or the running server's). */
export async function executeAdmin(platform: Platform, request: AdminRequest, context: { url: string }): Promise<AdminResult> {
  const admin = new AdminService(platform);
  const o = request.options;
  const need = (name: OptionName) => {
    const value = o[name];
    if (!value) throw new Error(`${request.command}: --${name} is required`);
    return value;
  };
  const done = (output: unknown, exitCode = 0): AdminResult => ({ output, exitCode });
  switch (request.command) {
    case 'demo': {
      const email = o.email ?? 'demo@ogelbase.dev';
      const slug = o.org ?? 'demo';
      const ref = o.project ?? 'demo-project';
      const user = await admin.ensureUser(email, 'Demo User');
      // Idempotent even when two run at once against one DATABASE_URL: a twin's insert wins, ours is skipped.
      const skipDuplicate = (error: unknown) => {
        if (!isUniqueViolation(error)) throw error;
      };
      if (!(await platform.organizations.listForUser(user.id)).some((org) => org.slug === slug)) {
        await admin.createOrganization(slug, 'Demo Organization', email).catch(skipDuplicate);
      }
      if (!(await platform.organizations.projectForUser(ref, user.id))) await admin.createProject(slug, ref, 'Demo Project').catch(skipDuplicate);
      const { token } = await admin.mintToken(email, 'demo');
      return done({ token, organization: slug, projectRef: ref, email, url: context.url });
    }
    case 'user create':
      return done(await admin.ensureUser(need('email'), o.name));
    case 'org create':
      return done(await admin.createOrganization(need('slug'), o.name ?? need('slug'), need('owner')));
    case 'project create':
      return done(await admin.createProject(need('org'), need('ref'), o.name ?? need('ref'), o.region));
    case 'member add':
      return done(await admin.addMember(need('org'), need('email'), need('role') as Role));
    case 'token create': {
      const days = o['expires-days'] ? Number(o['expires-days']) : undefined;
      if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new Error('--expires-days must be a positive whole number');
      const { token, record } = await admin.mintToken(need('email'), o.name ?? 'cli', days);
      return done({ token, id: record.id, prefix: record.tokenPrefix, expiresAt: record.expiresAt });
    }
    case 'token list': {
      const user = o.email ? await admin.requireUser(o.email) : undefined;
      return done(await platform.tokens.list(user?.id));
    }
    case 'token revoke': {
      const revoked = await admin.revokeToken(request.positionals[0]!);
      return done({ revoked }, revoked > 0 ? 0 : 1);
    }
    case 'jwt': {
      const seconds = Number(o['expires-in'] ?? 3600);
      if (!(Number.isInteger(seconds) && seconds > 0)) throw new Error('--expires-in must be a positive number of seconds');
      return done({ token: await admin.signJwt(need('email'), seconds), expiresIn: seconds });
    }
    case 'rotate-keys':
      return done(await admin.rotateKeys());
    case 'backup-platform':
      return done(await backupPlatformDatabase(platform.sql, platform.config));
    default:
      throw new UsageError(`unknown command: ${request.command}`);
  }
}
