import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { backends, createFixture, type Fixture, registerSecret, seedOrganization } from './support/fixture';

const password = 'Sock3t-Secret-Pw-2207';
registerSecret(password);
const metricsToken = 'socket-metrics-token-0123456789abcdef';
registerSecret(metricsToken);

/**
 * Every route once more, over a real TCP socket served by Bun.serve (as in production), on each
 * platform database, checking status codes and that no response carries a password.
 */
for (const backend of backends) {
  describe(`every route over a real socket (${backend})`, () => {
    let f: Fixture;
    let server: ReturnType<typeof Bun.serve>;
    let base: string;
    let token: string;
    let projectRef: string;
    let slug: string;
    const bodies: string[] = [];

    beforeAll(async () => {
      f = await createFixture(backend, {
        METRICS_TOKEN: metricsToken,
        ...(process.env.OGELBASE_TEST_REDIS_URL ? { REDIS_URL: process.env.OGELBASE_TEST_REDIS_URL } : {}),
        ...(process.env.OGELBASE_TEST_MONGODB_URL ? { MONGODB_URL: process.env.OGELBASE_TEST_MONGODB_URL } : {}),
      });
      const org = await seedOrganization(f, 'socket');
      ({ token, projectRef, slug } = { token: org.owner.token, projectRef: org.projectRef, slug: org.slug });
      server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: f.platform.app.fetch });
      base = `http://127.0.0.1:${server.port}`;
    });
    afterAll(async () => {
      await server.stop(true);
      await f.close();
      const all = [...bodies, ...f.logs].join('\n');
      expect(all.includes(password)).toBe(false);
    });

    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!path.endsWith('/reveal')) bodies.push(text);
      return { status: response.status, json: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
    };

    test('platform, database and operations routes answer as documented', async () => {
      expect((await call('GET', '/health')).status).toBe(200);
      expect((await call('GET', '/metrics')).status).toBe(401);
      const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await call('GET', '/api/platform/openapi.json')).status).toBe(200);
      expect((await call('GET', '/api/platform/profile')).status).toBe(200);
      expect((await call('GET', '/api/platform/organizations')).json[0].slug).toBe(slug);
      expect((await call('GET', `/api/platform/organizations/${slug}/projects`)).json[0].ref).toBe(projectRef);
      expect((await call('GET', `/api/platform/projects/${projectRef}`)).status).toBe(200);

      const created = await call('POST', '/api/platform/databases', {
        projectRef,
        name: 'sock-redis',
        type: 'redis',
        connectionString: process.env.OGELBASE_TEST_REDIS_URL ?? `redis://default:${password}@127.0.0.1:1/0`,
      });
      expect(created.status).toBe(201);
      const id = created.json.id as string;
      expect((await call('GET', `/api/platform/databases?projectRef=${projectRef}`)).json.total).toBe(1);
      expect((await call('GET', `/api/platform/databases/${id}`)).json.name).toBe('sock-redis');
      expect((await call('PATCH', `/api/platform/databases/${id}`, { description: 'over the wire', connectionString: `redis://default:${password}@cache.internal:6379/1` })).json.description).toBe('over the wire');
      const tested = await call('POST', `/api/platform/databases/${id}/test-connection`);
      expect(tested.status).toBe(200);
      expect(tested.json.ok).toBe(false); // cache.internal does not resolve here
      expect(tested.json.error.code).toBe('unreachable');
      const revealed = await call('POST', `/api/platform/databases/${id}/reveal`);
      expect(revealed.json.connectionString).toBe(`redis://default:${password}@cache.internal:6379/1`);
      expect((await call('DELETE', `/api/platform/databases/${id}`)).status).toBe(204);

      const health = await call('GET', '/api/platform/health?fresh=1');
      expect([200, 503]).toContain(health.status);
      expect(health.json.services.postgres.status).toBe('healthy');
      expect((await call('GET', '/api/platform/metrics')).json.connections.platform).toBeDefined();
      if (process.env.OGELBASE_TEST_REDIS_URL) expect((await call('POST', '/api/platform/redis/test-connection')).json.ok).toBe(true);
      expect((await call('GET', '/api/platform/mongodb/databases')).status).toBe(403); // not an operator
    });
  });
}
