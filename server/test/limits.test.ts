import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createFixture, type Fixture, seedOrganization } from './support/fixture';

describe('limits and the one error envelope', () => {
  let f: Fixture;
  let org: Awaited<ReturnType<typeof seedOrganization>>;

  beforeAll(async () => {
    f = await createFixture('pglite', { RATE_LIMIT_PER_MINUTE: '20', MAX_BODY_BYTES: '2048' });
    org = await seedOrganization(f, 'limits');
  });
  afterAll(() => f.close());

  const envelope = async (response: Response) => (await response.json()) as { error: { code: string; message: string; requestId: string } };

  test('a body over MAX_BODY_BYTES is refused with 413 before it is parsed', async () => {
    const response = await f.request('/api/platform/databases', {
      method: 'POST',
      token: org.owner.token,
      json: { projectRef: org.projectRef, name: 'big', type: 'redis', connectionString: 'redis://h', description: 'x'.repeat(4096) },
    });
    expect(response.status).toBe(413);
    const body = await envelope(response);
    expect(body.error.code).toBe('payload_too_large');
    expect(body.error.message).toContain('2048 bytes');
  });

  test('an unknown route answers 404 in the envelope, with the request id echoed', async () => {
    const response = await f.request('/api/platform/nowhere', { token: org.owner.token, headers: { 'x-request-id': 'trace-123' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    const body = await envelope(response);
    expect(body.error).toMatchObject({ code: 'not_found', requestId: 'trace-123' });
  });

  test('each token is rate limited: 429 with Retry-After, while another token still passes', async () => {
    const other = await f.member(org.slug, 'developer');
    let limited: Response | undefined;
    for (let i = 0; i < 25 && !limited; i++) {
      const response = await f.request('/api/platform/profile', { token: org.owner.token });
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(200);
    }
    expect(limited).toBeDefined();
    const retryAfter = Number(limited!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = await envelope(limited!);
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toContain('20 requests per minute');
    expect((await f.request('/api/platform/profile', { token: other.token })).status).toBe(200);
  });

  test('every request leaves one structured log line with the request id and no query string', async () => {
    await f.request('/api/platform/databases?projectRef=secret-filter-value', { token: (await f.member(org.slug, 'read_only')).token });
    const lines = f.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'request');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({ level: expect.any(String), service: 'http', requestId: expect.any(String), method: expect.any(String), status: expect.any(Number) });
      expect(typeof line.timestamp).toBe('string');
    }
    expect(f.logs.join('\n')).not.toContain('secret-filter-value');
  });
});
