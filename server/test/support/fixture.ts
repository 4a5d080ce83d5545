import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../../src/core/api/types';
import { loadConfig } from '../../src/config';
import { createPgliteSql } from '../../src/db/pglite-sql';
import type { PlatformSql } from '../../src/db/sql';
import { createLogger } from '../../src/logger';
import { createPlatform, openPlatformSql, type Platform } from '../../src/platform';
import { AdminService } from '../../src/services/admin';
import { registerSecret } from '../../../test/support/secrets';
import { createTestDatabase } from '../../../test/support/services/postgres';

export type Backend = 'pglite' | 'postgres';

/** The platform databases these tests run against: always the embedded one, and a real server when the harness gives one. */
export const backends: Backend[] = process.env.OGELBASE_TEST_PG_URL ? ['pglite', 'postgres'] : ['pglite'];

const resultsDir = process.env.OGELBASE_RESULTS_DIR ?? join(import.meta.dir, '..', '..', 'test-results');

export { registerSecret };

let sharedPglite: Promise<PlatformSql> | undefined;
/** PGlite takes seconds to start: one embedded database per test process, shared by every fixture. */
export function pglite(): Promise<PlatformSql> {
  sharedPglite ??= createPgliteSql(undefined);
  return sharedPglite;
}

export interface Member {
  email: string;
  userId: string;
  token: string;
}

export interface Fixture {
  platform: Platform;
  admin: AdminService;
  /** Every log line the platform wrote. */
  logs: string[];
  /** A unique suffix so fixtures sharing one embedded database never collide. */
  id: string;
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  /** A user with a token, member of `org` with `role`. */
  member(org: string, role: Role): Promise<Member>;
  close(): Promise<void>;
}

/**
 * A fixture on the given backend. `wrapSql` puts something between the platform and its database
 * (a test that takes the database away and gives it back).
 */
export async function createFixture(backend: Backend, env: Record<string, string> = {}, wrapSql?: (sql: PlatformSql) => PlatformSql): Promise<Fixture> {
  const id = Math.random().toString(36).slice(2, 8);
  const logs: string[] = [];
  mkdirSync(join(resultsDir, 'server-logs'), { recursive: true });
  const logFile = join(resultsDir, 'server-logs', `${backend}-${id}.log`);
  const databaseUrl = backend === 'postgres' ? (await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'platform')).url : undefined;
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'ogelbase-server-')),
    ENCRYPTION_KEY: 'a3f1c9e27b4d8605f2e9a1c7d3b5e8f04a6c2e9b7d1f3a5c8e0b2d4f6a8c1e3b',
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    HEALTH_CHECK_INTERVAL: '0',
    HEALTH_CHECK_TIMEOUT: '1500',
    LOG_LEVEL: 'debug',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  registerSecret(config.encryptionKey!);
  registerSecret(config.JWT_SECRET!);
  const log = createLogger({
    level: 'debug',
    secrets: [config.encryptionKey ?? '', config.JWT_SECRET ?? ''],
    write: (line) => {
      logs.push(line);
      appendFileSync(logFile, `${line}\n`);
    },
  });
  const shared = backend === 'pglite' ? await pglite() : undefined;
  const platform = await createPlatform(config, { log, sql: wrapSql ? wrapSql(shared ?? (await openPlatformSql(config, log))) : shared });
  const admin = new AdminService(platform);
  const fixture: Fixture = {
    platform,
    admin,
    logs,
    id,
    request: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (init.token) headers.set('authorization', `Bearer ${init.token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return Promise.resolve(platform.app.request(path, { ...init, headers, body }));
    },
    member: async (org, role) => {
      const email = `${role}-${Math.random().toString(36).slice(2, 8)}@${id}.test`;
      const user = await admin.ensureUser(email);
      await admin.addMember(org, email, role);
      const { token } = await admin.mintToken(email, 'test');
      registerSecret(token);
      return { email, userId: user.id, token };
    },
    close: () => platform.close(),
  };
  return fixture;
}

/** An organization with one project and an owner, named uniquely for this fixture. */
export async function seedOrganization(f: Fixture, name: string) {
  const slug = `${name}-${f.id}`;
  const ownerEmail = `owner-${name}@${f.id}.test`;
  await f.admin.ensureUser(ownerEmail);
  await f.admin.createOrganization(slug, `${name} org`, ownerEmail);
  const project = await f.admin.createProject(slug, `${name}-proj-${f.id}`, `${name} project`);
  const { token } = await f.admin.mintToken(ownerEmail, 'owner');
  registerSecret(token);
  return { slug, projectRef: project.ref, owner: { email: ownerEmail, token } };
}
