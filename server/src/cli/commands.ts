import { parseArgs } from 'node:util';
import type { Role } from '../../../src/core/api/types';
import type { Config } from '../config';
import { migrate } from '../db/migrations';
import { createLogger } from '../logger';
import { createPlatform, openPlatformSql } from '../platform';
import { AdminService } from '../services/admin';

const usage = `usage: npm run server -- <command> [options]

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

Each command prints one JSON line on stdout; logs go to stderr.`;

const roles: Role[] = ['owner', 'admin', 'developer', 'read_only'];
const print = (value: unknown) => console.log(JSON.stringify(value));

/** Runs one administration command; returns the exit code. */
export async function runCommand(command: string, argv: string[], config: Config): Promise<number> {
  if (command === 'help' || command === '--help') {
    console.log(usage);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      org: { type: 'string' },
      slug: { type: 'string' },
      owner: { type: 'string' },
      project: { type: 'string' },
      ref: { type: 'string' },
      region: { type: 'string' },
      role: { type: 'string' },
      'expires-days': { type: 'string' },
      'expires-in': { type: 'string' },
    },
  });
  const need = (name: keyof typeof values): string => {
    const value = values[name];
    if (typeof value !== 'string' || value === '') throw new Error(`${command}: --${name} is required\n\n${usage}`);
    return value;
  };
  const log = createLogger({ level: config.LOG_LEVEL, write: (line) => process.stderr.write(`${line}\n`) });

  if (command === 'migrate') {
    const sql = await openPlatformSql(config, log);
    try {
      print({ applied: await migrate(sql, log) });
    } finally {
      await sql.close();
    }
    return 0;
  }

  const platform = await createPlatform(config, { log });
  const admin = new AdminService(platform);
  try {
    const sub = positionals[0];
    switch (`${command} ${sub ?? ''}`.trim()) {
      case 'demo': {
        const email = values.email ?? 'demo@ogelbase.dev';
        const slug = values.org ?? 'demo';
        const ref = values.project ?? 'demo-project';
        const user = await admin.ensureUser(email, 'Demo User');
        const organizations = await platform.organizations.listForUser(user.id);
        if (!organizations.some((o) => o.slug === slug)) await admin.createOrganization(slug, 'Demo Organization', email);
        if (!(await platform.organizations.projectForUser(ref, user.id))) await admin.createProject(slug, ref, 'Demo Project');
        const { token } = await admin.mintToken(email, 'demo');
        print({ token, organization: slug, projectRef: ref, email, url: `http://localhost:${config.PORT}` });
        return 0;
      }
      case 'user create':
        print(await admin.ensureUser(need('email'), values.name));
        return 0;
      case 'org create':
        print(await admin.createOrganization(need('slug'), values.name ?? need('slug'), need('owner')));
        return 0;
      case 'project create':
        print(await admin.createProject(need('org'), need('ref'), values.name ?? need('ref'), values.region));
        return 0;
      case 'member add': {
        const role = need('role') as Role;
        if (!roles.includes(role)) throw new Error(`--role must be one of ${roles.join(', ')}`);
        print(await admin.addMember(need('org'), need('email'), role));
        return 0;
      }
      case 'token create': {
        const days = values['expires-days'] ? Number(values['expires-days']) : undefined;
        if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new Error('--expires-days must be a positive whole number');
        const { token, record } = await admin.mintToken(need('email'), values.name ?? 'cli', days);
        print({ token, id: record.id, prefix: record.tokenPrefix, expiresAt: record.expiresAt });
        return 0;
      }
      case 'token list': {
        const user = values.email ? await admin.requireUser(values.email) : undefined;
        print(await platform.tokens.list(user?.id));
        return 0;
      }
      case 'token revoke': {
        const target = positionals[1];
        if (!target) throw new Error('token revoke: give the token id or its ogb_ prefix');
        const revoked = await admin.revokeToken(target);
        print({ revoked });
        return revoked > 0 ? 0 : 1;
      }
      case 'jwt': {
        const seconds = Number(values['expires-in'] ?? 3600);
        if (!(Number.isInteger(seconds) && seconds > 0)) throw new Error('--expires-in must be a positive number of seconds');
        print({ token: await admin.signJwt(need('email'), seconds), expiresIn: seconds });
        return 0;
      }
      case 'rotate-keys':
        print(await admin.rotateKeys());
        return 0;
      default:
        console.error(`unknown command: ${[command, sub].filter(Boolean).join(' ')}\n\n${usage}`);
        return 2;
    }
  } finally {
    await platform.close();
  }
}
