import pg from 'pg';
import type { EngineType, Role } from '../../../src/core/api/types';
import { createTestDatabase, type TestDatabase } from '../../../test/support/services/postgres';
import { scramVerifier } from '../../src/services/read-credentials';
import { createFixture, type Fixture, type Member, registerSecret, seedOrganization } from '../../test/support/fixture';

export const pgUrl = process.env.OGELBASE_TEST_PG_URL;
export const redisUrl = process.env.OGELBASE_TEST_REDIS_URL;
export const mongoUrl = process.env.OGELBASE_TEST_MONGODB_URL;
export const servicesReady = Boolean(pgUrl && redisUrl && mongoUrl);

export interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string; details?: { field: string }[] } };
  headers: Headers;
  text: string;
}

/**
 * The attack suite's world: organization acme (owner, admin, developer, read_only members) with a
 * PostgreSQL database registered twice (as the superuser, so the platform creates a read-only role;
 * and as an application login that may not create roles, so it has none), Redis (an ACL user is
 * created) and MongoDB; organization globex, whose owner is "a member of another organization",
 * with a PostgreSQL database of the same name.
 */
export interface World {
  f: Fixture;
  acme: Awaited<ReturnType<typeof seedOrganization>>;
  globex: Awaited<ReturnType<typeof seedOrganization>>;
  who: Record<'owner' | 'admin' | 'developer' | 'readOnly' | 'outsider', string>;
  ids: { pg: string; pgNoReader: string; redis: string; mongo: string; globexPg: string };
  /** The victim database: a table `victim` the attacks try to drop, read or change. */
  victim: TestDatabase;
  /** A superuser client on the victim database, to check what really happened. */
  admin(): Promise<pg.Client>;
  call(method: string, path: string, token: string, json?: unknown, headers?: Record<string, string>): Promise<Reply>;
  op(type: EngineType, name: string, params: unknown, token: string, id?: string): Promise<Reply>;
  member(role: Role): Promise<Member>;
  close(): Promise<void>;
}

export async function createWorld(name: string, env: Record<string, string> = {}): Promise<World> {
  const victim = await createTestDatabase(pgUrl!, `victim_${name}`);
  const admin = async () => {
    const client = new pg.Client({ connectionString: victim.url });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const appPassword = `app-${Math.random().toString(36).slice(2, 12)}`;
  registerSecret(appPassword);
  const appUser = `app_${name}_${Math.random().toString(36).slice(2, 8)}`;
  const setup = await admin();
  await setup.query('CREATE TABLE victim (id int PRIMARY KEY, secret text NOT NULL)');
  await setup.query("INSERT INTO victim SELECT g, 'row ' || g FROM generate_series(1, 20) g");
  // An application login: owns nothing special, may not create roles (so no read-only role can be made).
  await setup.query(`CREATE ROLE ${appUser} LOGIN PASSWORD ${setup.escapeLiteral(scramVerifier(appPassword))}`);
  await setup.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON victim TO ${appUser}`);
  await setup.end();
  const appUrl = new URL(victim.url);
  appUrl.username = appUser;
  appUrl.password = appPassword;

  const f = await createFixture('pglite', { CIRCUIT_BREAKER_RESET_TIMEOUT: '60000', ...env });
  const acme = await seedOrganization(f, `acme${name}`);
  const globex = await seedOrganization(f, `globex${name}`);
  const [adminMember, developer, readOnly] = await Promise.all([f.member(acme.slug, 'admin'), f.member(acme.slug, 'developer'), f.member(acme.slug, 'read_only')]);
  const who = { owner: acme.owner.token, admin: adminMember.token, developer: developer.token, readOnly: readOnly.token, outsider: globex.owner.token };

  const call = async (method: string, path: string, token: string, json?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const response = await f.request(path, { method, token, json, headers });
    const text = await response.text();
    let body: Reply['body'];
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { text } as never;
    }
    return { status: response.status, body, headers: response.headers, text };
  };
  const register = async (org: typeof acme, dbName: string, type: EngineType, connectionString: string) => {
    const created = await call('POST', '/api/platform/databases', org.owner.token, { projectRef: org.projectRef, name: dbName, type, connectionString });
    if (created.status !== 201) throw new Error(`could not register ${dbName}: ${created.text}`);
    return created.body.id as string;
  };
  const ids = {
    pg: await register(acme, 'pg-main', 'postgres', victim.url),
    pgNoReader: await register(acme, 'pg-app', 'postgres', appUrl.toString()),
    redis: await register(acme, 'redis-main', 'redis', redisUrl!),
    mongo: await register(acme, 'mongo-main', 'mongodb', mongoUrl!),
    globexPg: await register(globex, 'pg-main', 'postgres', victim.url),
  };
  return {
    f,
    acme,
    globex,
    who,
    ids,
    victim,
    admin,
    call,
    op: (type, opName, params, token, id) => call('POST', `/api/platform/databases/${id ?? { postgres: ids.pg, redis: ids.redis, mongodb: ids.mongo }[type]}/${type}/${opName}`, token, params),
    member: (role) => f.member(acme.slug, role),
    close: async () => {
      for (const id of Object.values(ids)) await call('DELETE', `/api/platform/databases/${id}`, id === ids.globexPg ? globex.owner.token : acme.owner.token).catch(() => undefined);
      await f.close();
      const cleanup = await admin().catch(() => undefined);
      await cleanup?.query(`DROP OWNED BY ${appUser}`).catch(() => undefined);
      await cleanup?.end();
      await victim.drop();
      const server = new pg.Client({ connectionString: pgUrl });
      await server.connect();
      await server.query(`DROP ROLE IF EXISTS ${appUser}`).catch(() => undefined);
      await server.end();
    },
  };
}

/** True when the victim table is still there with its 20 rows, unchanged. */
export async function victimIntact(world: World): Promise<boolean> {
  const client = await world.admin();
  try {
    const { rows } = await client.query<{ n: number; changed: number }>("SELECT count(*)::int AS n, count(*) FILTER (WHERE secret <> 'row ' || id)::int AS changed FROM victim");
    return rows[0]!.n === 20 && rows[0]!.changed === 0;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}
