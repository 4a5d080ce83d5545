import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { DatabaseInfo, TestConnectionResult } from '../../src/core/api/types';
import { backends, createFixture, type Fixture, registerSecret, seedOrganization } from './support/fixture';

const secret = 'S3cretPw-for-tests-7781';
registerSecret(secret);
const samples = {
  postgres: `postgresql://postgres:${secret}@postgres.railway.internal:5432/postgres?sslmode=require`,
  redis: `redis://default:${secret}@redis.railway.internal:6379/0`,
  mongodb: `mongodb://admin:${secret}@mongodb.railway.internal:27017/ogelbase?authSource=admin`,
} as const;

for (const backend of backends) {
  describe(`databases (${backend})`, () => {
    let f: Fixture;
    let acme: Awaited<ReturnType<typeof seedOrganization>>;
    let globex: Awaited<ReturnType<typeof seedOrganization>>;
    /** Every response body this suite received: none may contain a password. */
    const seen: string[] = [];
    const call = async (path: string, init: Parameters<Fixture['request']>[1] = {}) => {
      const response = await f.request(path, init);
      const text = await response.text();
      seen.push(text);
      return { status: response.status, text, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    };
    const create = (token: string, body: Record<string, unknown>) => call('/api/platform/databases', { method: 'POST', token, json: body });

    let operator: { email: string; token: string };

    beforeAll(async () => {
      const operatorEmail = `operator-${backend}@platform.test`;
      f = await createFixture(backend, { PLATFORM_OPERATORS: operatorEmail, ...(process.env.OGELBASE_TEST_MONGODB_URL ? { MONGODB_URL: process.env.OGELBASE_TEST_MONGODB_URL } : {}) });
      acme = await seedOrganization(f, 'acme');
      globex = await seedOrganization(f, 'globex');
      await f.admin.ensureUser(operatorEmail);
      const minted = await f.admin.mintToken(operatorEmail, 'operator');
      registerSecret(minted.token);
      operator = { email: operatorEmail, token: minted.token };
    });
    afterAll(async () => {
      const everything = [...seen, ...f.logs].join('\n');
      for (const password of [secret, ...passwordsOfServices()]) expect(everything.includes(password)).toBe(false);
      await f.close();
    });

    test('adds a database of each engine with the seed body and answers it masked', async () => {
      for (const type of ['postgres', 'redis', 'mongodb'] as const) {
        const { status, body } = await create(acme.owner.token, { projectRef: acme.projectRef, name: `${type}-primary`, type, connectionString: samples[type], description: `Primary ${type}` });
        expect(status).toBe(201);
        const info = body as DatabaseInfo;
        expect(info).toMatchObject({ projectRef: acme.projectRef, name: `${type}-primary`, type, description: `Primary ${type}`, readOnly: false, privateNetwork: true });
        expect(info.connectionString).toContain(':****@');
        expect(info.endpoint).toContain('.railway.internal');
      }
      const { body } = await call(`/api/platform/databases?projectRef=${acme.projectRef}`, { token: acme.owner.token });
      expect(body.total).toBe(3);
      expect(body.databases.find((d: DatabaseInfo) => d.type === 'redis').connectionString).toBe('redis://default:****@redis.railway.internal:6379/0');
    });

    test('rejects malformed connection strings of each kind with a 400 that names the field and the problem', async () => {
      const cases: [string, string, RegExp][] = [
        ['redis', `http://default:${secret}@redis.internal:6379`, /redis:\/\//],
        ['redis', `redis://default:${secret}@redis.internal:99999/0`, /port/i],
        ['postgres', `postgresql://postgres:${secret}@db:5432/app?sslmode=sometimes`, /sslmode/],
        ['postgres', `mysql://root:${secret}@db/app`, /postgres/i],
        ['mongodb', `mongodb+srv://admin:${secret}@cluster.example.com:27017/app`, /srv/i],
        ['mongodb', 'mongodb://admin:p@ss@host/app', /percent-encode|%40/i],
        ['redis', '', /required|empty/i],
      ];
      for (const [type, connectionString, problem] of cases) {
        const { status, body, text } = await create(acme.owner.token, { projectRef: acme.projectRef, name: `bad-${type}`, type, connectionString });
        expect({ connectionString: connectionString.replace(secret, '…'), status }).toEqual({ connectionString: connectionString.replace(secret, '…'), status: 400 });
        expect(body.error.code).toBe('invalid_request');
        expect(body.error.details.map((d: { field: string }) => d.field)).toContain('body.connectionString');
        expect(body.error.message).toMatch(problem);
        expect(text).not.toContain(secret);
      }
    });

    test('validates every field and refuses unknown ones', async () => {
      const { status, body } = await create(acme.owner.token, { projectRef: 'X', name: '', type: 'mysql', connectionString: 'x', colour: 'red' });
      expect(status).toBe(400);
      const fields = body.error.details.map((d: { field: string }) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['body.projectRef', 'body.name', 'body.type']));
      const unknown = await create(acme.owner.token, { projectRef: acme.projectRef, name: 'x', type: 'redis', connectionString: samples.redis, colour: 'red' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain('colour');
      const notJson = await call('/api/platform/databases', { method: 'POST', token: acme.owner.token, headers: { 'content-type': 'application/json' }, body: '{"projectRef":' });
      expect(notJson.status).toBe(400);
      expect(notJson.body.error.code).toBe('invalid_request');
    });

    test('a second database with the same name in the project is a 409', async () => {
      const { status, body } = await create(acme.owner.token, { projectRef: acme.projectRef, name: 'redis-primary', type: 'redis', connectionString: samples.redis });
      expect(status).toBe(409);
      expect(body.error.message).toContain('redis-primary');
    });

    test('pages the list and changes, then removes, one database', async () => {
      const page = await call(`/api/platform/databases?projectRef=${acme.projectRef}&limit=2&offset=1`, { token: acme.owner.token });
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 1 });
      expect(page.body.databases).toHaveLength(2);

      const created = await create(acme.owner.token, { projectRef: acme.projectRef, name: 'scratch', type: 'redis', connectionString: samples.redis });
      const id = created.body.id as string;
      const patched = await call(`/api/platform/databases/${id}`, {
        method: 'PATCH',
        token: acme.owner.token,
        json: { name: 'scratch-2', description: null, readOnly: true, connectionString: `rediss://default:${secret}@cache.example.com:6380/2` },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ name: 'scratch-2', description: null, readOnly: true, privateNetwork: false, connectionString: 'rediss://default:****@cache.example.com:6380/2' });
      const wrongEngine = await call(`/api/platform/databases/${id}`, { method: 'PATCH', token: acme.owner.token, json: { connectionString: samples.postgres } });
      expect(wrongEngine.status).toBe(400);
      expect((await call(`/api/platform/databases/${id}`, { method: 'PATCH', token: acme.owner.token, json: {} })).status).toBe(400);

      expect((await call(`/api/platform/databases/${id}`, { method: 'DELETE', token: acme.owner.token })).status).toBe(204);
      expect((await call(`/api/platform/databases/${id}`, { token: acme.owner.token })).status).toBe(404);
    });

    test('roles: read_only reads only, developer writes but cannot reveal, admin reveals (audited)', async () => {
      const list = await call(`/api/platform/databases?projectRef=${acme.projectRef}`, { token: acme.owner.token });
      const redisId = list.body.databases.find((d: DatabaseInfo) => d.type === 'redis').id as string;

      const viewer = await f.member(acme.slug, 'read_only');
      expect((await call(`/api/platform/databases/${redisId}`, { token: viewer.token })).status).toBe(200);
      for (const attempt of [
        create(viewer.token, { projectRef: acme.projectRef, name: 'nope', type: 'redis', connectionString: samples.redis }),
        call(`/api/platform/databases/${redisId}`, { method: 'PATCH', token: viewer.token, json: { name: 'renamed' } }),
        call(`/api/platform/databases/${redisId}`, { method: 'DELETE', token: viewer.token }),
      ]) {
        const { status, body } = await attempt;
        expect(status).toBe(403);
        expect(body.error.message).toContain('read_only');
      }

      const developer = await f.member(acme.slug, 'developer');
      const added = await create(developer.token, { projectRef: acme.projectRef, name: 'dev-added', type: 'redis', connectionString: samples.redis });
      expect(added.status).toBe(201);
      expect((await call(`/api/platform/databases/${redisId}/reveal`, { method: 'POST', token: developer.token })).status).toBe(403);

      const admin = await f.member(acme.slug, 'admin');
      const revealed = await call(`/api/platform/databases/${redisId}/reveal`, { method: 'POST', token: admin.token });
      expect(revealed.status).toBe(200);
      expect(revealed.headers.get('cache-control')).toBe('no-store');
      expect(revealed.body.connectionString).toBe(samples.redis);
      seen.pop(); // the one response that must hold the plaintext
      const audit = await f.platform.audit.list({ action: 'database.reveal' });
      expect(audit.some((entry) => entry.targetId === redisId && entry.actorUserId === admin.userId)).toBe(true);
    });

    test("a member of another organization learns nothing about this organization's databases", async () => {
      const list = await call(`/api/platform/databases?projectRef=${acme.projectRef}`, { token: acme.owner.token });
      const id = list.body.databases[0].id as string;
      const outsider = globex.owner.token;
      expect((await call(`/api/platform/databases?projectRef=${acme.projectRef}`, { token: outsider })).status).toBe(404);
      for (const [method, path, json] of [
        ['GET', `/api/platform/databases/${id}`, undefined],
        ['PATCH', `/api/platform/databases/${id}`, { name: 'mine-now' }],
        ['DELETE', `/api/platform/databases/${id}`, undefined],
        ['POST', `/api/platform/databases/${id}/reveal`, undefined],
        ['POST', `/api/platform/databases/${id}/test-connection`, undefined],
      ] as const) {
        const response = await call(path, { method, token: outsider, json });
        expect({ method, status: response.status }).toEqual({ method, status: 404 });
        expect(response.body.error.message).toBe(`database ${id} was not found`);
      }
      const missing = await call('/api/platform/databases/00000000-0000-4000-8000-000000000000', { token: outsider });
      expect(missing.body.error.message).toBe('database 00000000-0000-4000-8000-000000000000 was not found');
      expect((await create(outsider, { projectRef: acme.projectRef, name: 'intruder', type: 'redis', connectionString: samples.redis })).status).toBe(404);
    });

    test('connection strings at rest are sealed and bound to their row', async () => {
      const { rows } = await f.platform.sql.query<{ id: string; sealed: string }>('SELECT id, connection_string_encrypted AS sealed FROM platform.databases');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.sealed.startsWith('ogb1.')).toBe(true);
        expect(row.sealed).not.toContain(secret);
        expect(row.sealed).not.toContain('railway.internal');
      }
      const [a, b] = rows;
      expect(() => f.platform.keyring.decrypt(a!.sealed, b!.id)).toThrow();
    });

    test('test-connection reaches real servers and explains failures', async () => {
      const targets = [
        ['postgres', process.env.OGELBASE_TEST_PG_URL],
        ['redis', process.env.OGELBASE_TEST_REDIS_URL],
        ['mongodb', process.env.OGELBASE_TEST_MONGODB_URL],
      ] as const;
      for (const [type, url] of targets) {
        if (!url) continue;
        const added = await create(acme.owner.token, { projectRef: acme.projectRef, name: `live-${type}`, type, connectionString: url });
        expect(added.status).toBe(201);
        const result = (await call(`/api/platform/databases/${added.body.id}/test-connection`, { method: 'POST', token: acme.owner.token })).body as TestConnectionResult;
        expect({ type, ok: result.ok, error: result.error }).toEqual({ type, ok: true, error: undefined });
        expect(result.serverVersion).toMatch(/\d+\.\d+/);
        expect(result.latency).toBeGreaterThanOrEqual(0);
      }
      const dead = await create(acme.owner.token, { projectRef: acme.projectRef, name: 'dead-redis', type: 'redis', connectionString: `redis://default:${secret}@127.0.0.1:1/0` });
      const result = (await call(`/api/platform/databases/${dead.body.id}/test-connection`, { method: 'POST', token: acme.owner.token })).body as TestConnectionResult;
      expect(result.ok).toBe(false);
      expect(result.error!.code).toBe('unreachable');
      expect(result.error!.message).toMatch(/refused the connection/);
      if (process.env.OGELBASE_TEST_PG_URL) {
        const wrong = new URL(process.env.OGELBASE_TEST_PG_URL);
        wrong.password = 'not-the-password';
        const added = await create(acme.owner.token, { projectRef: acme.projectRef, name: 'wrong-password', type: 'postgres', connectionString: wrong.toString() });
        const denied = (await call(`/api/platform/databases/${added.body.id}/test-connection`, { method: 'POST', token: acme.owner.token })).body as TestConnectionResult;
        expect(denied).toMatchObject({ ok: false, error: { code: 'auth' } });
      }
    });

    test("the seed's Redis test-connection and MongoDB database list", async () => {
      if (process.env.OGELBASE_TEST_REDIS_URL) {
        const tested = await call('/api/platform/redis/test-connection', { method: 'POST', token: acme.owner.token, json: { connectionString: process.env.OGELBASE_TEST_REDIS_URL } });
        expect(tested.status).toBe(200);
        expect(tested.body.ok).toBe(true);
      }
      const noDefault = await call('/api/platform/redis/test-connection', { method: 'POST', token: acme.owner.token });
      expect(noDefault.status).toBe(400);
      const viewer = await f.member(acme.slug, 'read_only');
      expect((await call('/api/platform/redis/test-connection', { method: 'POST', token: viewer.token, json: { connectionString: samples.redis } })).status).toBe(403);
      // The platform's own MongoDB belongs to no tenant: its operators only (PLATFORM_OPERATORS).
      const notOperator = await call('/api/platform/mongodb/databases', { token: acme.owner.token });
      expect(notOperator.status).toBe(403);
      expect(notOperator.body.error.message).toContain('PLATFORM_OPERATORS');
      if (process.env.OGELBASE_TEST_MONGODB_URL) {
        const listed = await call('/api/platform/mongodb/databases', { token: operator.token });
        expect(listed.status).toBe(200);
        expect(Array.isArray(listed.body.databases)).toBe(true);
      }
    });
  });
}

function passwordsOfServices(): string[] {
  return [process.env.OGELBASE_TEST_PG_URL, process.env.OGELBASE_TEST_REDIS_URL]
    .filter((u): u is string => !!u)
    .map((u) => decodeURIComponent(new URL(u).password))
    .filter((p) => p.length >= 6);
}
