import assert from 'node:assert/strict';
import { PlatformClient, PlatformError } from '../../src/core/api/client';
import { API_VERSION_HEADER, PLATFORM_API_VERSION } from '../../src/core/api/types';

const token = 'ogb_unitTestTokenThatMustNeverShow0123456789';
type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;
const client = (handler: Handler) => new PlatformClient({ url: 'http://platform.test:3001/', token, fetch: (async (url: string, init: RequestInit) => handler(url, init)) as typeof fetch });
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', [API_VERSION_HEADER]: String(PLATFORM_API_VERSION), ...headers } });
const rejects = async (promise: Promise<unknown>, check: (e: PlatformError) => void) => {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PlatformError, String(error));
    assert.ok(!error.message.includes(token), 'the token leaked into the message');
    check(error);
    return true;
  });
};

describe('PlatformClient', () => {
  it('sends the bearer token and parses JSON', async () => {
    let seen: RequestInit | undefined;
    const organizations = await client((url, init) => {
      seen = init;
      assert.equal(url, 'http://platform.test:3001/api/platform/organizations');
      return json([{ slug: 'acme' }]);
    }).organizations();
    assert.deepEqual(organizations, [{ slug: 'acme' }]);
    assert.equal((seen!.headers as Record<string, string>).authorization, `Bearer ${token}`);
  });

  it("turns the server's error envelope into a PlatformError with its code, message, request id and Retry-After", async () => {
    await rejects(
      client(() => json({ error: { code: 'rate_limited', message: 'rate limit of 600 requests per minute reached', requestId: 'r-1' } }, 429, { 'retry-after': '17' })).organizations(),
      (e) => {
        assert.equal(e.status, 429);
        assert.equal(e.code, 'rate_limited');
        assert.equal(e.requestId, 'r-1');
        assert.equal(e.retryAfter, 17);
      },
    );
  });

  it('says the platform cannot be reached, without the token', async () => {
    await rejects(client(() => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).organizations(), (e) => {
      assert.equal(e.code, 'offline');
      assert.match(e.message, /cannot reach the platform at http:\/\/platform\.test:3001 \(ECONNREFUSED\)/);
    });
  });

  it('refuses a server that is not an OgelBase platform or speaks another API version', async () => {
    await rejects(client(() => new Response('<html>hello</html>', { status: 200 })).organizations(), (e) => assert.equal(e.code, 'bad_response'));
    await rejects(client(() => new Response('not found', { status: 404 })).profile(), (e) => assert.match(e.message, /is this an OgelBase platform/));
    await rejects(client(() => json({ apiVersion: PLATFORM_API_VERSION + 1, user: {} }, 200, { [API_VERSION_HEADER]: String(PLATFORM_API_VERSION + 1) })).profile(), (e) => {
      assert.equal(e.code, 'version');
      assert.match(e.message, /update the extension/);
    });
  });

  it('returns the health report of a degraded platform (503) instead of failing', async () => {
    const report = await client(() => json({ timestamp: 't', status: 'degraded', services: { redis: { status: 'unhealthy', latency: 5 } } }, 503)).health();
    assert.equal(report.status, 'degraded');
  });

  it('reports cancellation as cancelled', async () => {
    const controller = new AbortController();
    const pending = client((_url, init) => new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))).testConnection('id', controller.signal);
    controller.abort();
    await rejects(pending, (e) => assert.equal(e.code, 'cancelled'));
  });
});
