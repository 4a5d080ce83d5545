import { afterAll, beforeAll, describe, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from 'hono/jwt';
import { loadConfig } from '../src/config';
import { BoundedMemoryStore } from '../src/middleware/rate-limit';
import { createFixture, type Fixture, registerSecret, seedOrganization } from '../test/support/fixture';
import { held, type Attack } from './support/record';
import { redisUrl, servicesReady } from './support/world';

const L = (attack: string, who: string, expected: string): Attack => ({ area: 'Shared state and limits', attack, who, expected });
const A = (attack: string, who: string, expected: string): Attack => ({ area: 'Authentication and requests', attack, who, expected });
const D = (attack: string, who: string, expected: string): Attack => ({ area: 'Defaults', attack, who, expected });
const jwtSecret = 'test-jwt-secret-that-is-long-enough-0123456789';
const randomBearer = () => `ogb_${randomBytes(30).toString('base64url')}`;

describe.skipIf(!servicesReady)('limits, breakers and requests one tenant cannot abuse', () => {
  let f: Fixture;
  let org: Awaited<ReturnType<typeof seedOrganization>>;
  beforeAll(async () => {
    f = await createFixture('pglite', { RATE_LIMIT_PER_MINUTE: '20', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '30', CLIENT_ADDRESS_HEADER: 'x-forwarded-for', MAX_BODY_BYTES: '65536' });
    org = await seedOrganization(f, 'limits');
  });
  afterAll(() => f?.close());

  const get = (path: string, token: string, address: string) => f.request(path, { token, headers: { 'x-forwarded-for': address } });

  test('random bearer tokens from one address share one budget, counted before authentication', async () => {
    const statuses: number[] = [];
    // The proxy appends the address it saw; what comes before is whatever the client claimed.
    for (let i = 0; i < 40; i++) statuses.push((await get('/api/platform/profile', randomBearer(), `203.0.113.${i}, 198.51.100.7`)).status);
    const first429 = statuses.indexOf(429);
    held(L('40 requests with made-up bearer tokens from one client address (forwarded header trusted: the last entry)', 'anyone', '401 until the address budget (30) is spent, then 429'), `first 429 at request ${first429 + 1}; ${statuses.filter((s) => s === 401).length} × 401`, first429 === 30 && statuses.slice(30).every((s) => s === 429));
    const store = new BoundedMemoryStore(1000);
    store.init({ windowMs: 60_000 });
    for (let i = 0; i < 50_000; i++) store.increment(`a:${randomBytes(8).toString('hex')}`);
    held(L('50,000 distinct clients against a limiter store bounded to 1,000', 'anyone', 'the store never holds more than its bound'), `${store.size} keys held`, store.size <= 1000);
  });

  test('an authenticated user has one budget, whatever token or address they use', async () => {
    const member = await f.member(org.slug, 'developer');
    const second = await f.admin.mintToken(member.email, 'second');
    registerSecret(second.token);
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) statuses.push((await get('/api/platform/profile', i % 2 ? second.token : member.token, `192.0.2.${i}`)).status);
    const first429 = statuses.indexOf(429);
    held(L('24 requests alternating two tokens of one user, each from a new address', 'developer', '200 until the user budget (20) is spent, then 429'), `first 429 at request ${first429 + 1}`, first429 === 20);
    const other = await f.member(org.slug, 'developer');
    const fresh = await get('/api/platform/profile', other.token, '192.0.2.200');
    held(L('a request by another user meanwhile', 'developer', 'unaffected (200)'), `${fresh.status}`, fresh.status === 200);
  });

  test('without CLIENT_ADDRESS_HEADER a forwarded header is not trusted', async () => {
    const g = await createFixture('pglite', { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '15' });
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: g.platform.app.fetch });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`http://127.0.0.1:${server.port}/api/platform/profile`, { headers: { authorization: `Bearer ${randomBearer()}`, 'x-forwarded-for': `203.0.113.${i}`, 'x-real-ip': `203.0.113.${i}` } });
        statuses.push(response.status);
      }
      held(L('20 requests over a real socket, each claiming another X-Forwarded-For / X-Real-IP', 'anyone', 'counted by the socket address: 429 after 15'), `first 429 at request ${statuses.indexOf(429) + 1}`, statuses.indexOf(429) === 15);
    } finally {
      await server.stop(true);
      await g.close();
    }
  });

  test('with REDIS_URL, rate-limit counters and circuit breakers are shared by every server process', async () => {
    const env = { REDIS_URL: redisUrl!, RATE_LIMIT_PER_MINUTE: '20', CIRCUIT_BREAKER_THRESHOLD: '3', CIRCUIT_BREAKER_RESET_TIMEOUT: '60000', ENABLE_HEALTH_CHECKS: 'false' };
    const a = await createFixture('pglite', env);
    const b = await createFixture('pglite', env);
    try {
      const shared = await seedOrganization(a, 'shared');
      let statusB = 0;
      for (let i = 0; i < 12; i++) await a.request('/api/platform/profile', { token: shared.owner.token });
      for (let i = 0; i < 9 && statusB !== 429; i++) statusB = (await b.request('/api/platform/profile', { token: shared.owner.token })).status;
      held(L('12 requests to process A, then more to process B, same user', 'owner', 'B answers 429 once the two together pass 20'), `B: ${statusB}`, statusB === 429);

      // Other users than the one whose budget is spent: the breaker is the database's, not a user's.
      const writerA = await a.member(shared.slug, 'developer');
      const writerB = await b.member(shared.slug, 'developer');
      const created = await a.request('/api/platform/databases', { method: 'POST', token: writerA.token, json: { projectRef: shared.projectRef, name: 'down', type: 'redis', connectionString: 'redis://default:x@127.0.0.1:1/0' } });
      const id = ((await created.json()) as { id: string }).id;
      for (let i = 0; i < 3; i++) await a.request(`/api/platform/databases/${id}/redis/scanKeys`, { method: 'POST', token: writerA.token, json: {} });
      const viaB = await b.request(`/api/platform/databases/${id}/redis/scanKeys`, { method: 'POST', token: writerB.token, json: {} });
      const body = (await viaB.json()) as { error?: { code: string; message: string } };
      held(L('three refused connections through process A, then a call through process B', 'developers', "B answers 503: A opened the database's circuit for both"), `${viaB.status} ${body.error?.code}`, viaB.status === 503 && body.error?.code === 'circuit_open');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('every answer tells browsers not to sniff, frame or run it', async () => {
    const member = await f.member(org.slug, 'read_only');
    const cases: [string, Promise<Response>][] = [
      ['200', f.request('/api/platform/profile', { token: member.token, headers: { 'x-forwarded-for': '198.18.0.1' } })],
      ['401', f.request('/api/platform/profile', { headers: { 'x-forwarded-for': '198.18.0.2' } })],
      ['404', f.request('/api/platform/nowhere', { token: member.token, headers: { 'x-forwarded-for': '198.18.0.3' } })],
      ['413', f.request('/api/platform/databases', { method: 'POST', token: member.token, headers: { 'x-forwarded-for': '198.18.0.4' }, json: { description: 'x'.repeat(70_000) } })],
      ['/health', f.request('/health', { headers: { 'x-forwarded-for': '198.18.0.5' } })],
    ];
    for (const [what, pending] of cases) {
      const response = await pending;
      const nosniff = response.headers.get('x-content-type-options');
      const csp = response.headers.get('content-security-policy') ?? '';
      held(A(`headers of a ${what} answer`, 'anyone', "X-Content-Type-Options: nosniff and Content-Security-Policy default-src 'none'"), `${response.status}; nosniff ${nosniff}; csp ${csp.slice(0, 40)}`, nosniff === 'nosniff' && csp.includes("default-src 'none'"));
    }
  });

  test('oversized and deeply nested bodies are refused, never crash the server', async () => {
    const member = await f.member(org.slug, 'developer');
    const headers = { 'x-forwarded-for': '198.18.1.1' };
    const big = await f.request('/api/platform/databases', { method: 'POST', token: member.token, headers, json: { projectRef: org.projectRef, name: 'big', type: 'redis', connectionString: `redis://h/${'0'.repeat(100_000)}` } });
    held(A('POST a 100 KB body (MAX_BODY_BYTES 64 KiB)', 'developer', '413'), `${big.status}`, big.status === 413);
    const depth = 20_000;
    const nested = await f.request('/api/platform/databases', { method: 'POST', token: member.token, headers: { ...headers, 'content-type': 'application/json' }, body: `${'['.repeat(depth)}${']'.repeat(depth)}` });
    held(A(`POST JSON nested ${depth} levels deep`, 'developer', '400'), `${nested.status}`, nested.status === 400);
    const filter = `${'{"$and":['.repeat(500)}{}${']}'.repeat(500)}`;
    const deepFilter = await f.request(`/api/platform/databases/00000000-0000-4000-8000-000000000000/mongodb/findPage`, { method: 'POST', token: member.token, headers, json: { db: 'x', collection: 'y', filter } });
    held(A('a MongoDB filter nested 500 levels deep', 'developer', '4xx, the server keeps serving'), `${deepFilter.status}; then /health ${(await f.request('/health', { headers })).status}`, deepFilter.status >= 400 && deepFilter.status < 500);
    const unicode = await f.request('/api/platform/databases', { method: 'POST', token: member.token, headers, json: { projectRef: org.projectRef, name: 'e\u0301\u202e\u0000', type: 'redis', connectionString: 'redis://h\u0000:6379' } });
    held(A('names and connection strings with NUL, RTL override and combining marks', 'developer', '400 naming the fields'), `${unicode.status}`, unicode.status === 400);
  });

  test('forged, expired, other-secret and revoked credentials are refused', async () => {
    const member = await f.member(org.slug, 'developer');
    const now = Math.floor(Date.now() / 1000);
    const headers = { 'x-forwarded-for': '198.18.2.1' };
    const cases: [string, string][] = [
      ['a JWT signed with another secret', await sign({ sub: member.userId, exp: now + 600 }, 'another-secret-another-secret-another-secret', 'HS256')],
      ['an expired JWT', await sign({ sub: member.userId, exp: now - 10 }, jwtSecret, 'HS256')],
      ['a JWT without exp', await sign({ sub: member.userId }, jwtSecret, 'HS256')],
      ['a JWT with alg none', `${btoa(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${btoa(JSON.stringify({ sub: member.userId, exp: now + 600 }))}.`],
      ['a JWT for a user that does not exist', await sign({ sub: '00000000-0000-4000-8000-000000000000', exp: now + 600 }, jwtSecret, 'HS256')],
      ['an API token with one character changed', `${member.token.slice(0, -1)}${member.token.endsWith('a') ? 'b' : 'a'}`],
    ];
    for (const [what, token] of cases) {
      const response = await f.request('/api/platform/organizations', { token, headers });
      held(A(what, 'attacker', '401'), `${response.status}`, response.status === 401);
    }
    await f.admin.revokeToken(member.token.slice(0, 10));
    const revoked = await f.request('/api/platform/organizations', { token: member.token, headers });
    held(A('a revoked API token', 'former developer', '401'), `${revoked.status}`, revoked.status === 401);
  });
});

describe('safe defaults', () => {
  const base = { DATA_DIR: '/tmp/ogelbase-defaults-test' };
  const refused = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
      return 'started';
    } catch (error) {
      return `refused: ${(error as Error).message.slice(0, 120)}`;
    }
  };
  test('the server listens on loopback unless HOST says otherwise; the Dockerfile says so', () => {
    const host = loadConfig(base).HOST;
    held(D('start without HOST', 'operator', 'listens on 127.0.0.1'), host, host === '127.0.0.1');
    const docker = readFileSync(join(import.meta.dir, '..', 'Dockerfile'), 'utf8');
    held(D('server/Dockerfile', 'operator', 'sets HOST=0.0.0.0 for the container'), /HOST=0\.0\.0\.0/.test(docker) ? 'HOST=0.0.0.0' : 'no HOST', /HOST=0\.0\.0\.0/.test(docker));
  });
  test('production refuses the embedded database and a key kept beside the data, unless explicitly allowed', () => {
    const key = 'a'.repeat(64);
    const cases: [Record<string, string>, boolean, string][] = [
      [{ NODE_ENV: 'production' }, false, 'NODE_ENV=production, no DATABASE_URL, no ENCRYPTION_KEY'],
      [{ RAILWAY_ENVIRONMENT: 'production', ENCRYPTION_KEY: key }, false, "Railway's variables, no DATABASE_URL"],
      [{ RAILWAY_PROJECT_ID: 'p', DATABASE_URL: 'postgresql://u:p@db/x' }, false, 'Railway, DATABASE_URL but no ENCRYPTION_KEY'],
      [{ NODE_ENV: 'production', DATABASE_URL: 'postgresql://u:p@db/x', ENCRYPTION_KEY: key }, true, 'NODE_ENV=production with DATABASE_URL and ENCRYPTION_KEY'],
      [{ NODE_ENV: 'production', ALLOW_EMBEDDED_STORAGE_IN_PRODUCTION: 'true' }, true, 'NODE_ENV=production with ALLOW_EMBEDDED_STORAGE_IN_PRODUCTION=true'],
    ];
    for (const [env, starts, what] of cases) {
      const outcome = refused(env);
      held(D(`start with ${what}`, 'operator', starts ? 'starts' : 'refuses to start, naming what is missing'), outcome, starts ? outcome === 'started' : outcome.startsWith('refused'));
    }
    const policy = refused({ DATABASE_HOST_POLICY: 'public,169.254.0.0/16' });
    held(D('DATABASE_HOST_POLICY that tries to allow 169.254.0.0/16', 'operator', 'refuses to start'), policy, policy.startsWith('refused'));
    const deployed = loadConfig({ ...base, NODE_ENV: 'production', ALLOW_EMBEDDED_STORAGE_IN_PRODUCTION: 'true' }).hostPolicy;
    held(D('the default host policy when deployed', 'operator', 'the internet and Railway\'s private network only'), deployed, deployed === 'public,*.railway.internal');
  });
});
