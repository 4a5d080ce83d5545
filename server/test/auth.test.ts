import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sign } from 'hono/jwt';
import { API_VERSION_HEADER, PLATFORM_API_VERSION } from '../../src/core/api/types';
import { backends, createFixture, type Fixture, seedOrganization } from './support/fixture';

const jwtSecret = 'test-jwt-secret-that-is-long-enough-0123456789';
const now = () => Math.floor(Date.now() / 1000);

for (const backend of backends) {
  describe(`authentication (${backend})`, () => {
    let f: Fixture;
    let org: Awaited<ReturnType<typeof seedOrganization>>;
    let ownerId: string;

    beforeAll(async () => {
      f = await createFixture(backend);
      org = await seedOrganization(f, 'auth');
      ownerId = (await f.admin.requireUser(org.owner.email)).id;
    });
    afterAll(() => f.close());

    const expect401 = async (response: Response, message: RegExp) => {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await response.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message).toMatch(message);
      expect(body.error.requestId.length).toBeGreaterThan(0);
    };

    test('a personal API token authenticates and the profile carries the API version', async () => {
      const response = await f.request('/api/platform/profile', { token: org.owner.token });
      expect(response.status).toBe(200);
      expect(response.headers.get(API_VERSION_HEADER)).toBe(String(PLATFORM_API_VERSION));
      const profile = (await response.json()) as { user: { email: string }; authenticatedBy: string; apiVersion: number };
      expect(profile.user.email).toBe(org.owner.email);
      expect(profile.authenticatedBy).toBe('api_token');
      expect(profile.apiVersion).toBe(PLATFORM_API_VERSION);
    });

    test('an HS256 JWT with sub = user id authenticates, as a GoTrue access token would', async () => {
      const token = await sign({ sub: ownerId, exp: now() + 600, role: 'authenticated' }, jwtSecret, 'HS256');
      const response = await f.request('/api/platform/profile', { token });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { authenticatedBy: string }).authenticatedBy).toBe('jwt');
    });

    test('the JWT the server command signs is accepted', async () => {
      const token = await f.admin.signJwt(org.owner.email, 60);
      expect((await f.request('/api/platform/organizations', { token })).status).toBe(200);
    });

    test('no header, a malformed header, or an unknown token get 401 with a reason', async () => {
      await expect401(await f.request('/api/platform/organizations'), /missing Authorization/);
      await expect401(await f.request('/api/platform/organizations', { headers: { authorization: 'Basic abc' } }), /malformed/);
      await expect401(await f.request('/api/platform/organizations', { token: 'ogb_notarealtokennotarealtokennotarealtoken' }), /unknown API token/);
      await expect401(await f.request('/api/platform/organizations', { token: 'hello' }), /neither an API token/);
    });

    test('a forged JWT (wrong secret), an expired one, one without exp and one for a missing user get 401', async () => {
      const forged = await sign({ sub: ownerId, exp: now() + 600 }, 'another-secret-another-secret-another-secret', 'HS256');
      await expect401(await f.request('/api/platform/profile', { token: forged }), /signature or format is invalid/);
      const expired = await sign({ sub: ownerId, exp: now() - 10 }, jwtSecret, 'HS256');
      await expect401(await f.request('/api/platform/profile', { token: expired }), /expired/);
      const eternal = await sign({ sub: ownerId }, jwtSecret, 'HS256');
      await expect401(await f.request('/api/platform/profile', { token: eternal }), /no expiry/);
      const ghost = await sign({ sub: '00000000-0000-4000-8000-000000000000', exp: now() + 600 }, jwtSecret, 'HS256');
      await expect401(await f.request('/api/platform/profile', { token: ghost }), /does not exist/);
      const noneAlg = `${btoa(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${btoa(JSON.stringify({ sub: ownerId, exp: now() + 600 }))}.`;
      await expect401(await f.request('/api/platform/profile', { token: noneAlg }), /invalid/);
    });

    test('a revoked token and an expired token get 401', async () => {
      const member = await f.member(org.slug, 'developer');
      expect((await f.request('/api/platform/profile', { token: member.token })).status).toBe(200);
      expect(await f.admin.revokeToken(member.token.slice(0, 10))).toBe(1);
      await expect401(await f.request('/api/platform/profile', { token: member.token }), /revoked/);

      const { token, record } = await f.admin.mintToken(member.email, 'short-lived', 1);
      await f.platform.sql.query("UPDATE platform.api_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1", [record.id]);
      await expect401(await f.request('/api/platform/profile', { token }), /expired/);
    });

    test('every route of the OpenAPI document refuses a request without a token, except those it declares optional', async () => {
      type Operation = { security?: Record<string, string[]>[] };
      const document = (await (await f.request('/api/platform/openapi.json')).json()) as { paths: Record<string, Record<string, Operation>> };
      const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
      expect(routes.length).toBeGreaterThanOrEqual(12);
      const anonymous: string[] = [];
      for (const { path, method, op } of routes) {
        const concrete = path.replace('{id}', '5f0c6f8e-8a48-4c1e-9d6e-0d6f3f0b2a11').replace('{slug}', 'x').replace('{ref}', 'xyz');
        const response = await f.request(concrete, { method: method.toUpperCase() });
        const optional = op.security?.some((s) => Object.keys(s).length === 0) ?? false;
        if (!optional) {
          expect({ route: `${method} ${path}`, status: response.status }).toEqual({ route: `${method} ${path}`, status: 401 });
          continue;
        }
        // A declared anonymous form gives status only: no error detail of any service.
        anonymous.push(`${method} ${path}`);
        const body = (await response.json()) as { access?: string; services: Record<string, { error?: string }> };
        expect(body.access).toBe('status-only');
        for (const service of Object.values(body.services)) expect(service.error).toBeUndefined();
      }
      expect(anonymous).toEqual(['get /api/platform/health']);
    });
  });
}
