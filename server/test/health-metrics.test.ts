import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createServer, type Server, type Socket } from 'node:net';
import type { HealthReport, MetricsReport } from '../../src/core/api/types';
import { startRedis, type RedisService } from '../../test/support/services/redis';
import { createFixture, type Fixture, registerSecret, seedOrganization } from './support/fixture';

/** A server that accepts connections and never answers: the worst kind of hung service. */
async function blackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const metricsToken = 'metrics-token-for-health-tests-0123456789';
registerSecret(metricsToken);

describe('platform health and metrics', () => {
  let f: Fixture;
  let token: string;
  let redis: RedisService;
  let hung: Awaited<ReturnType<typeof blackHole>>;

  beforeAll(async () => {
    redis = await startRedis();
    registerSecret(redis.password);
    hung = await blackHole();
    f = await createFixture('pglite', {
      REDIS_URL: redis.url,
      BUN_API_URL: hung.url,
      ...(process.env.OGELBASE_TEST_MONGODB_URL ? { MONGODB_URL: process.env.OGELBASE_TEST_MONGODB_URL } : {}),
      HEALTH_CHECK_TIMEOUT: '1500',
      METRICS_TOKEN: metricsToken,
    });
    token = (await seedOrganization(f, 'health')).owner.token;
  });
  afterAll(async () => {
    await f.close();
    await hung.close();
    await redis.destroy();
    expect(f.logs.join('\n')).not.toContain(redis.password);
  });

  const health = async () => {
    const response = await f.request('/api/platform/health?fresh=1', { token });
    return { status: response.status, report: (await response.json()) as HealthReport };
  };

  test('reports every configured service in the seed shape; a hung one is unhealthy after its own deadline', async () => {
    const { status, report } = await health();
    expect(status).toBe(503);
    expect(report.status).toBe('degraded');
    expect(Number.isNaN(Date.parse(report.timestamp))).toBe(false);
    expect(Object.keys(report.services).sort()).toEqual(['bun_api', ...(process.env.OGELBASE_TEST_MONGODB_URL ? ['mongodb'] : []), 'postgres', 'redis'].sort());
    expect(report.services.postgres).toMatchObject({ status: 'healthy', latency: expect.any(Number) });
    expect(report.services.redis!.status).toBe('healthy');
    if (report.services.mongodb) expect(report.services.mongodb.status).toBe('healthy');
    expect(report.services.bun_api).toMatchObject({ status: 'unhealthy', error: 'no answer within 1500 ms' });
  });

  test('a Redis stopped mid-run turns unhealthy, then healthy again once it is back', async () => {
    await redis.stop();
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.report.services.redis!.status).toBe('unhealthy');
    expect(down.report.services.redis!.error).toBeString();
    expect(down.report.services.postgres!.status).toBe('healthy');

    await redis.start();
    let redisBack = false;
    for (let attempt = 0; attempt < 40 && !redisBack; attempt++) {
      redisBack = (await health()).report.services.redis!.status === 'healthy';
      if (!redisBack) await Bun.sleep(250);
    }
    expect(redisBack).toBe(true);
  });

  test('a healthy platform answers 200 and reports are reused for HEALTH_CHECK_INTERVAL', async () => {
    const g = await createFixture('pglite', { HEALTH_CHECK_INTERVAL: '60000' });
    try {
      const t = (await seedOrganization(g, 'cached')).owner.token;
      const first = await g.request('/api/platform/health', { token: t });
      expect(first.status).toBe(200);
      const a = (await first.json()) as HealthReport;
      expect(a).toMatchObject({ status: 'healthy', services: { postgres: { status: 'healthy' } } });
      const b = (await (await g.request('/api/platform/health', { token: t })).json()) as HealthReport;
      expect(b.timestamp).toBe(a.timestamp);
      const c = (await (await g.request('/api/platform/health?fresh=true', { token: t })).json()) as HealthReport;
      expect(c.timestamp >= a.timestamp).toBe(true);
    } finally {
      await g.close();
    }
  });

  test('metrics: uptime, memory and {active, idle, waiting} per engine, also as Prometheus text', async () => {
    const response = await f.request('/api/platform/metrics', { token });
    expect(response.status).toBe(200);
    const metrics = (await response.json()) as MetricsReport;
    expect(metrics.uptime).toBeGreaterThanOrEqual(0);
    expect(metrics.memory.rss).toBeGreaterThan(0);
    for (const engine of ['platform', 'postgres', 'redis', 'mongodb'] as const) {
      expect(metrics.connections[engine]).toEqual({ active: expect.any(Number), idle: expect.any(Number), waiting: expect.any(Number) });
    }
    const text = await (await f.request('/metrics', { token: metricsToken })).text();
    expect(text).toContain('# TYPE ogelbase_connections gauge');
    expect(text).toMatch(/^ogelbase_connections\{engine="platform",state="idle"\} \d+$/m);
    expect(text).toMatch(/^ogelbase_uptime_seconds [\d.]+$/m);
  });

  test('metrics: heap figures that agree (used never above total, even under load) and the runtime that measured them', async () => {
    // Bun's process.memoryUsage() reports heapUsed above heapTotal once the heap has grown: grow it.
    const ballast = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `row ${i}` }));
    for (let round = 0; round < 3; round++) {
      const metrics = (await (await f.request('/api/platform/metrics', { token })).json()) as MetricsReport;
      expect(metrics.runtime).toEqual({ name: 'bun', version: Bun.version, engine: 'JavaScriptCore' });
      expect(metrics.memory.heapUsed).toBeGreaterThan(0);
      expect(metrics.memory.heapUsed).toBeLessThanOrEqual(metrics.memory.heapTotal);
      Bun.gc(true);
    }
    expect(ballast.length).toBe(200_000);
  });

  test('the server liveness probe answers without a token', async () => {
    const response = await f.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'healthy', timestamp: expect.any(String), uptime: expect.any(Number) });
  });
});
