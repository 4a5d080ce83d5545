/**
 * Finding 4 of issue 9 and TLS toward the databases, for real: a PostgreSQL and a Redis started
 * with certificates this test makes (openssl), reached from a platform server process that trusts
 * the test CA (NODE_EXTRA_CA_CERTS), through the platform's own test-connection route and an
 * engine operation. Every refusal must name its reason; a plain server behind a TLS URL must say so
 * at once instead of timing out.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { recordFault } from '../support/faults/record';
import { call, runServerCommand, startServerProcess, type ServerProcess } from '../support/faults/server-process';
import { makeTestPki, type TestPki } from '../support/services/certificates';
import { createTestDatabase, startPostgres } from '../support/services/postgres';
import { startRedisTls, type RedisTlsService } from '../support/services/redis';
import { registerSecret } from '../support/secrets';

/** The words for a plain server behind a TLS URL. */
const NO_TLS_ANSWER = 'the server did not answer TLS: it may not have TLS enabled (try redis:// or sslmode=disable)';

type Probe = { ok: boolean; latency: number; serverVersion?: string; error?: { code: string; message: string } };

describe('faults: TLS toward the databases (real servers, certificates made by the test)', function () {
  this.timeout(240_000);
  let pki: TestPki;
  let postgres: Awaited<ReturnType<typeof startPostgres>>;
  let redis: RedisTlsService;
  let server: ServerProcess;
  let token: string;
  let pgDatabase: string;

  const probe = async (type: string, connectionString: string) => {
    const answer = await call<Probe>(server.url, '/api/platform/test-connection', { token, json: { type, connectionString } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };
  const pgUrl = (host: string, sslmode: string) => `postgresql://postgres:${encodeURIComponent(postgres.password)}@${host}:${postgres.port}/${pgDatabase}?sslmode=${sslmode}`;
  const redisUrl = (host: string) => redis.tlsUrl.replace('@localhost:', `@${host}:`);
  const refused = (result: Probe, pattern: RegExp, what: string) => {
    assert.equal(result.ok, false, `${what} must be refused`);
    assert.match(result.error!.message, pattern, `${what}: got "${result.error!.message}"`);
    assert.doesNotMatch(result.error!.message, /did not answer within|timed? ?out/i, `${what}: a reason, not a time-out`);
  };

  before(async () => {
    pki = makeTestPki();
    [postgres, redis] = await Promise.all([startPostgres({ tls: pki.localhost }), startRedisTls(pki.localhost, pki.ca.cert)]);
    registerSecret(postgres.password);
    registerSecret(redis.password);
    pgDatabase = (await createTestDatabase(postgres.url, 'tls')).name;
    const encryptionKey = randomBytes(32).toString('hex');
    registerSecret(encryptionKey);
    const env = { DATABASE_URL: (await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'platform')).url, ENCRYPTION_KEY: encryptionKey, NODE_EXTRA_CA_CERTS: pki.ca.cert };
    const demo = await runServerCommand(['demo'], env);
    assert.equal(demo.code, 0, demo.stderr);
    token = String(demo.json().token);
    registerSecret(token);
    server = await startServerProcess('tls', env);
  });
  after(async () => {
    await server?.stop();
    await postgres?.destroy();
    await redis?.destroy();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('rediss:// to a plain Redis says the server did not answer TLS, at once (not a 9 s "timeout")', async () => {
    const plain = process.env.OGELBASE_TEST_REDIS_URL!.replace(/^redis:/, 'rediss:');
    const result = await probe('redis', plain);
    refused(result, new RegExp(NO_TLS_ANSWER.replace(/[()/.]/g, '\\$&')), 'rediss:// to a plain Redis');
    assert.equal(result.error!.code, 'unreachable');
    const mongo = await probe('mongodb', `${process.env.OGELBASE_TEST_MONGODB_URL!.replace(/\/?$/, '/')}?tls=true`);
    refused(mongo, /did not answer TLS/, 'tls=true to a plain MongoDB');
    const pg = await probe('postgres', `${process.env.OGELBASE_TEST_PG_URL!}?sslmode=require`);
    refused(pg, /did not answer TLS/, 'sslmode=require to a PostgreSQL without TLS');
    recordFault({ finding: '4', scenario: 'rediss:// to a plain Redis (also tls=true to a plain MongoDB, sslmode=require to a PostgreSQL without TLS)', outcome: `ok:false ${result.error!.code}: "${result.error!.message}"`, endedWithinMs: result.latency });
  });

  it('a replica set whose hosts do not resolve fails at once, naming the hosts', async () => {
    const result = await probe('mongodb', 'mongodb://app:secret-pw-9@mongo-a.nowhere.invalid:27017,mongo-b.nowhere.invalid:27017/shop?replicaSet=rs0');
    refused(result, /hosts mongo-a\.nowhere\.invalid:27017, mongo-b\.nowhere\.invalid:27017 could not be resolved/, 'unresolvable replica set');
    assert.doesNotMatch(result.error!.message, /secret-pw-9/);
    recordFault({ finding: '4', scenario: 'a replica-set string whose hosts do not resolve', outcome: `ok:false ${result.error!.code}: "${result.error!.message}"`, endedWithinMs: result.latency });
  });

  it('PostgreSQL with sslmode=require and verify-full connects over TLS; a wrong host name is refused as a host mismatch', async () => {
    const required = await probe('postgres', pgUrl('127.0.0.1', 'require'));
    assert.equal(required.ok, true, JSON.stringify(required.error));
    const verified = await probe('postgres', pgUrl('localhost', 'verify-full'));
    assert.equal(verified.ok, true, JSON.stringify(verified.error));
    // The session really is encrypted: the server says so, through an engine operation of the platform.
    const created = await call<{ id: string }>(server.url, '/api/platform/databases', { token, json: { projectRef: 'demo-project', name: 'tls-pg', type: 'postgres', connectionString: pgUrl('localhost', 'verify-full') } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ssl = await call<{ rows: unknown[][] }>(server.url, `/api/platform/databases/${created.body.id}/postgres/query`, { token, json: { sql: 'SELECT ssl::text, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()' } });
    assert.equal(ssl.status, 200, JSON.stringify(ssl.body));
    assert.equal(String(ssl.body.rows[0]![0]), 'true');
    assert.match(String(ssl.body.rows[0]![1]), /^TLSv1\.[23]$/);
    refused(await probe('postgres', pgUrl('127.0.0.1', 'verify-full')), /another host name \(host mismatch/, 'verify-full to 127.0.0.1 with a certificate for localhost');
    recordFault({ finding: 'TLS', scenario: 'PostgreSQL 15 with ssl=on: sslmode=require, verify-full (CA trusted), verify-full by IP', outcome: `require and verify-full connected (pg_stat_ssl: ${String(ssl.body.rows[0]![1])}); by IP refused: host mismatch` });
  });

  it('Redis with rediss:// connects over TLS; a wrong host name is refused as a host mismatch', async () => {
    const verified = await probe('redis', redisUrl('localhost'));
    assert.equal(verified.ok, true, JSON.stringify(verified.error));
    const created = await call<{ id: string }>(server.url, '/api/platform/databases', { token, json: { projectRef: 'demo-project', name: 'tls-redis', type: 'redis', connectionString: redisUrl('localhost') } });
    assert.equal(created.status, 201);
    const scanned = await call<{ keys: unknown[] }>(server.url, `/api/platform/databases/${created.body.id}/redis/scanKeys`, { token, json: { limit: 10 } });
    assert.equal(scanned.status, 200, JSON.stringify(scanned.body));
    refused(await probe('redis', redisUrl('127.0.0.1')), /another host name \(host mismatch/, 'rediss:// to 127.0.0.1 with a certificate for localhost');
    recordFault({ finding: 'TLS', scenario: 'Redis 7 with tls-port: rediss://localhost (CA trusted), rediss:// by IP', outcome: 'connected and scanned over TLS; by IP refused: host mismatch' });
  });

  it('a certificate from an unknown CA, and an expired one, are refused naming the reason (PostgreSQL and Redis)', async () => {
    await Promise.all([postgres.useCertificate(pki.rogue), redis.useCertificate(pki.rogue)]);
    refused(await probe('postgres', pgUrl('localhost', 'verify-full')), /not trusted.*\(unknown CA\)/, 'PostgreSQL, unknown CA');
    refused(await probe('redis', redisUrl('localhost')), /not trusted.*\(unknown CA\)/, 'Redis, unknown CA');
    // sslmode=require encrypts without checking who answers, as libpq does.
    assert.equal((await probe('postgres', pgUrl('localhost', 'require'))).ok, true);

    await Promise.all([postgres.useCertificate(pki.expired), redis.useCertificate(pki.expired)]);
    const pgExpired = await probe('postgres', pgUrl('localhost', 'verify-full'));
    refused(pgExpired, /certificate has expired/, 'PostgreSQL, expired certificate');
    refused(await probe('redis', redisUrl('localhost')), /certificate has expired/, 'Redis, expired certificate');
    await Promise.all([postgres.useCertificate(pki.localhost), redis.useCertificate(pki.localhost)]);
    assert.equal((await probe('redis', redisUrl('localhost'))).ok, true, 'the proper certificate is accepted again');
    recordFault({ finding: 'TLS', scenario: 'server certificate from an unknown CA, then an expired one (PostgreSQL verify-full, Redis rediss://)', outcome: `refused: "…${pgExpired.error!.message.split(': ').slice(1).join(': ')}" and "…not trusted … (unknown CA)"` });
  });
});
