import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlatformClient, PlatformError, type CallOutcome } from '../../src/core/api/client';
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
      assert.equal(e.message, 'cannot reach the platform at http://platform.test:3001: connection refused: nothing listens on platform.test:3001');
    });
  });

  it('finds the cause inside an AggregateError of several address attempts', async () => {
    const attempts = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:3001'), { code: 'ECONNREFUSED' }), Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3001'), { code: 'ECONNREFUSED' })]);
    await rejects(client(() => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: attempts }))).organizations(), (e) => assert.match(e.message, /connection refused/));
  });

  it('tells every caller-side observer how each call ended', async () => {
    const seen: CallOutcome[] = [];
    let fail = false;
    const observed = new PlatformClient({
      url: 'http://platform.test:3001',
      token,
      fetch: (async () => (fail ? Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })) : json([]))) as unknown as typeof fetch,
      observe: (outcome) => seen.push(outcome),
    });
    await observed.organizations();
    fail = true;
    await assert.rejects(observed.projects('acme'));
    assert.deepEqual(
      seen.map((o) => [o.method, o.path, o.ok, o.ok ? undefined : o.error.code]),
      [
        ['GET', '/api/platform/organizations', true, undefined],
        ['GET', '/api/platform/organizations/acme/projects', false, 'offline'],
      ],
    );
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

  describe('names why a real socket could not reach the platform', function () {
    this.timeout(15_000);
    const servers: Server[] = [];
    const listen = async (server: Server) => {
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    const reach = (url: string) => new PlatformClient({ url, token, timeoutMs: 5_000 }).organizations();
    after(() => {
      for (const server of servers) server.close();
    });

    it('connection refused: nothing listens on the port', async () => {
      const port = await listen(createTcpServer());
      await new Promise((resolve) => servers.pop()!.close(resolve));
      await rejects(reach(`http://127.0.0.1:${port}`), (e) => {
        assert.equal(e.code, 'offline');
        assert.equal(e.message, `cannot reach the platform at http://127.0.0.1:${port}: connection refused: nothing listens on 127.0.0.1:${port}`);
      });
    });

    it('DNS: a host name that does not resolve', async () => {
      await rejects(reach('http://no-such-platform.invalid:3001'), (e) => {
        assert.equal(e.code, 'offline');
        assert.match(e.message, /: DNS: the host name no-such-platform\.invalid (was not found|could not be looked up)/);
      });
    });

    it('TLS: https:// to a server that speaks plain HTTP', async () => {
      const port = await listen(createHttpServer((_req, res) => res.end('{}')));
      await rejects(reach(`https://127.0.0.1:${port}`), (e) => assert.match(e.message, /TLS handshake failed: 127\.0\.0\.1:\d+ does not speak TLS \(is the URL http:\/\/ rather than https:\/\/\?\)/));
    });

    it('TLS: a self-signed certificate', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'ogelbase-tls-'));
      try {
        const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
        if (made.error || made.status !== 0) this.skip();
        const port = await listen(createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('{}')));
        await rejects(reach(`https://127.0.0.1:${port}`), (e) => assert.match(e.message, /TLS: the certificate of 127\.0\.0\.1:\d+ is self-signed and not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a server that accepts the connection and closes it without answering', async () => {
      const port = await listen(createTcpServer((socket) => socket.destroy()));
      await rejects(reach(`http://127.0.0.1:${port}`), (e) => {
        assert.equal(e.code, 'offline');
        assert.match(e.message, /127\.0\.0\.1:\d+ (closed the connection before answering|was reset)/);
      });
    });

    it('timeout: a server that accepts and never answers', async () => {
      const port = await listen(createTcpServer(() => undefined));
      await rejects(new PlatformClient({ url: `http://127.0.0.1:${port}`, token, timeoutMs: 500 }).organizations(), (e) => {
        assert.equal(e.code, 'timeout');
        assert.match(e.message, /did not answer within 1 s/);
      });
    });
  });
});
