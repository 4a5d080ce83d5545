import { afterAll, beforeAll, describe, test } from 'bun:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixture, type Fixture, seedOrganization } from '../test/support/fixture';
import { answer, held, type Attack } from './support/record';
import { servicesReady } from './support/world';

const CS = (attack: string, who: string, expected: string): Attack => ({ area: 'Connection strings', attack, who, expected });
/** A self-signed CA certificate for db.example.com (EC P-256, valid until 2126); its key was thrown away. */
const TEST_CA = `-----BEGIN CERTIFICATE-----
MIIBiDCCAS+gAwIBAgIUX7oTKJOYfNNhz2NmGwaQoYQivHUwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOZGIuZXhhbXBsZS5jb20wIBcNMjYxMjAxMTUyMzEzWhgPMjEy
NjExMDcxNTIzMTNaMBkxFzAVBgNVBAMMDmRiLmV4YW1wbGUuY29tMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEggeDlzG+PwzU6ejrTXL9CPSW/zONWBL7nZKx75qQ
Iq95ce1NyoVoSBxGD9DVChUUZX+o4dkYRIH/fHUgyO5nS6NTMFEwHQYDVR0OBBYE
FBuAFzWTw1DEgFZx5lqyppPwq06cMB8GA1UdIwQYMBaAFBuAFzWTw1DEgFZx5lqy
ppPwq06cMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgBV2Qs5Ys
1/nsnxgPxX8gskMePV7Zjkd8it0jQ7m75eMCIDcd1iY83OQccgTtWsBytU37uLOX
6ee4s2tNKPvgfDAz
-----END CERTIFICATE-----
`;
const clusterSeed = process.env.OGELBASE_TEST_REDIS_CLUSTER_NODES?.split(',')[0];
const clusterPassword = process.env.OGELBASE_TEST_REDIS_CLUSTER_PASSWORD;

describe.skipIf(!servicesReady)('connection strings cannot touch the platform server', () => {
  let local: Fixture;
  let deployed: Fixture;
  let org: Awaited<ReturnType<typeof seedOrganization>>;
  let deployedOrg: Awaited<ReturnType<typeof seedOrganization>>;
  let developer: string;
  let dir: string;
  let fifo: string;
  let listener: Server;
  let openPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ogelbase-attack-'));
    fifo = join(dir, 'blocking.pem');
    execFileSync('mkfifo', [fifo]);
    listener = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    openPort = (listener.address() as { port: number }).port;
    local = await createFixture('pglite');
    org = await seedOrganization(local, 'conn');
    developer = (await local.member(org.slug, 'developer')).token;
    // A deployed server's default policy: the internet only (plus a name rule used below).
    deployed = await createFixture('pglite', { DATABASE_HOST_POLICY: 'public,localhost' });
    deployedOrg = await seedOrganization(deployed, 'deployed');
  });
  afterAll(async () => {
    await new Promise((resolve) => listener.close(resolve));
    await local?.close();
    await deployed?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (f: Fixture, token: string, path: string, json: unknown) => {
    const response = await f.request(path, { method: 'POST', token, json });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string }; ok?: boolean } & Record<string, unknown> };
  };
  const add = (type: string, connectionString: string, extra: Record<string, unknown> = {}) =>
    post(local, developer, '/api/platform/databases', { projectRef: org.projectRef, name: `cs-${Math.random().toString(36).slice(2, 8)}`, type, connectionString, ...extra });
  const probe = (type: string, connectionString: string) => post(local, developer, '/api/platform/test-connection', { type, connectionString });
  const refused = (reply: { status: number }) => reply.status === 400;

  test('certificate and key files, and libpq files and services, are never read on the server', async () => {
    const cases: [string, string][] = [
      ['postgres', 'postgresql://u:p@db.example.com/app?sslmode=verify-full&sslrootcert=/etc/passwd'],
      ['postgres', `postgresql://u:p@db.example.com/app?sslmode=require&sslcert=${fifo}&sslkey=${fifo}`],
      ['postgres', 'postgresql://u:p@db.example.com/app?sslrootcert=/dev/zero'],
      ['postgres', 'host=db.example.com dbname=app sslcrl=/etc/shadow'],
      ['postgres', 'postgresql://u@db.example.com/app?passfile=/root/.pgpass'],
      ['postgres', 'postgresql://db.example.com/app?service=prod'],
      ['mongodb', 'mongodb://u:p@mongo.example.com/app?tls=true&tlsCAFile=/dev/zero'],
      ['mongodb', `mongodb://u:p@mongo.example.com/app?tls=true&tlsCertificateKeyFile=${fifo}`],
      ['mongodb', 'mongodb://u:p@mongo.example.com/app?tls=true&TLSCRLFILE=/etc/passwd'],
    ];
    for (const [type, connectionString] of cases) {
      // A FIFO or /dev/zero read synchronously would never return: an answer at all proves no read.
      for (const [route, reply] of [['POST /databases', await add(type, connectionString)], ['POST /test-connection', await probe(type, connectionString)]] as const) {
        held(CS(`${route} with ${connectionString.replace(/^[a-z+]+:\/\/u:p@/, '…@').replaceAll(fifo, '<a FIFO>')}`, 'developer', '400 at once, naming the parameter; no file opened'), answer(reply), refused(reply) && /file|service|PEM/.test(reply.body.error?.message ?? ''));
      }
    }
  });

  test('unix sockets of the server are refused', async () => {
    for (const [type, connectionString] of [
      ['postgres', 'postgresql:///postgres?host=/var/run/postgresql'],
      ['postgres', 'postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/postgres'],
      ['postgres', 'host=/tmp dbname=postgres user=postgres'],
      ['mongodb', 'mongodb://%2Ftmp%2Fmongodb-27017.sock/admin'],
    ] as const) {
      const reply = await add(type, connectionString);
      held(CS(`POST /databases ${connectionString}`, 'developer', '400: a unix socket names a file on the platform server'), answer(reply), refused(reply) && /socket/.test(reply.body.error?.message ?? ''));
    }
  });

  test('cloud metadata and link-local addresses are refused whatever the policy, in every spelling', async () => {
    const hosts = ['169.254.169.254', '[::ffff:169.254.169.254]', '[::ffff:a9fe:a9fe]', '[64:ff9b::a9fe:a9fe]', '[fd00:ec2::254]', '2852039166', '0xa9.0xfe.0xa9.0xfe', '169.254.170.2', '100.100.100.200', '168.63.129.16', 'metadata.google.internal', '[fe80::1]'];
    for (const host of hosts) {
      for (const [type, connectionString] of [
        ['postgres', `postgresql://u:p@${host}:5432/app`],
        ['redis', `redis://default:p@${host}:6379/0`],
        ['mongodb', `mongodb://u:p@${host}:27017/app`],
      ] as const) {
        const reply = await add(type, connectionString);
        if (reply.status === 400 && /not a valid host/.test(reply.body.error?.message ?? '')) {
          held(CS(`POST /databases ${type} at ${host}`, 'developer', '400'), `${answer(reply, false)} (the parser refuses the spelling)`, true);
          continue;
        }
        held(CS(`POST /databases ${type} at ${host}`, 'developer', '400 refused by the host policy (metadata / link-local)'), answer(reply), refused(reply) && /metadata|link-local|always refused/.test(reply.body.error?.message ?? ''));
      }
    }
    const viaParam = await add('postgres', 'postgresql://u:p@db.example.com/app?host=169.254.169.254');
    held(CS('POST /databases postgresql://…@db.example.com/app?host=169.254.169.254', 'developer', '400: the host parameter is the host the driver uses'), answer(viaParam), refused(viaParam));
    const probeMeta = await probe('redis', 'redis://169.254.169.254:80/0');
    held(CS('POST /test-connection redis://169.254.169.254:80', 'developer', '400 before any connection'), answer(probeMeta), refused(probeMeta));
  });

  test('ambient credentials of the server (cloud metadata, Kerberos) cannot be borrowed', async () => {
    for (const mechanism of ['MONGODB-AWS', 'MONGODB-OIDC', 'GSSAPI']) {
      const user = mechanism === 'GSSAPI' ? 'u@' : '';
      const reply = await add('mongodb', `mongodb://${user}mongo.example.com/app?authMechanism=${mechanism}${mechanism === 'MONGODB-OIDC' ? '&authMechanismProperties=ENVIRONMENT:azure,TOKEN_RESOURCE:x' : ''}`);
      held(CS(`POST /databases mongodb authMechanism=${mechanism}`, 'developer', "400: it would use the platform server's own identity"), answer(reply), refused(reply) && /own identity/.test(reply.body.error?.message ?? ''));
    }
  });

  test("DATABASE_HOST_POLICY decides the networks; probing tells nothing about refused places", async () => {
    const owner = deployedOrg.owner.token;
    const addTo = (connectionString: string) => post(deployed, owner, '/api/platform/databases', { projectRef: deployedOrg.projectRef, name: `p-${Math.random().toString(36).slice(2, 8)}`, type: 'redis', connectionString });
    for (const host of ['127.0.0.1', '[::1]', '0.0.0.0', '10.0.0.5', '192.168.1.10', '172.16.0.1', '[fd12::1]', '127.1']) {
      const reply = await addTo(`redis://${host}:6379/0`);
      held(CS(`POST /databases redis://${host} with DATABASE_HOST_POLICY=public,localhost`, 'owner', '400 refused by the host policy'), answer(reply), refused(reply) && /host policy/.test(reply.body.error?.message ?? ''));
    }
    const open = await post(deployed, owner, '/api/platform/test-connection', { type: 'redis', connectionString: `redis://127.0.0.1:${openPort}/0` });
    const closed = await post(deployed, owner, '/api/platform/test-connection', { type: 'redis', connectionString: 'redis://127.0.0.1:1/0' });
    held(
      CS('POST /test-connection to an open and to a closed loopback port', 'owner', 'the same 400 for both: no port-scan oracle'),
      `${answer(open)} | ${answer(closed)}`,
      refused(open) && refused(closed) && open.body.error?.message.replace(String(openPort), 'N') === closed.body.error?.message.replace('1/', 'N/').replace(':1', ':N'),
    );
    const named = await addTo(`redis://localhost:${openPort}/0`);
    held(CS('POST /databases redis://localhost with the name rule "localhost"', 'owner', 'allowed: a name rule allows that name'), answer(named, false), named.status === 201);
    if (clusterSeed && clusterPassword) {
      const port = clusterSeed.split(':')[1];
      const viaName = await post(deployed, owner, '/api/platform/test-connection', { type: 'redis', connectionString: `redis+cluster://default:${encodeURIComponent(clusterPassword)}@localhost:${port}` });
      const localMode = await post(local, org.owner.token, '/api/platform/test-connection', { type: 'redis', connectionString: `redis+cluster://default:${encodeURIComponent(clusterPassword)}@localhost:${port}` });
      held(
        CS('a Redis Cluster reached by an allowed name announces its nodes at 127.0.0.1', 'owner', 'the announced loopback nodes are not followed (they are in local mode)'),
        `policy public,localhost: ok ${viaName.body.ok}; local mode: ok ${localMode.body.ok}`,
        viaName.body.ok === false && localMode.body.ok === true,
      );
    }
  });

  test('the policy is checked again at every connection, not only when a string is saved', async () => {
    // Saved while loopback was allowed; the same platform data served by a process whose policy is public only.
    const saved: Record<string, string> = {};
    for (const [type, url] of [['postgres', process.env.OGELBASE_TEST_PG_URL!], ['redis', process.env.OGELBASE_TEST_REDIS_URL!], ['mongodb', process.env.OGELBASE_TEST_MONGODB_URL!]] as const) {
      const created = await post(local, org.owner.token, '/api/platform/databases', { projectRef: org.projectRef, name: `later-${type}`, type, connectionString: url });
      saved[type] = created.body.id as string;
    }
    const strict = await createFixture('pglite', { DATABASE_HOST_POLICY: 'public' });
    try {
      for (const [type, operation] of [['postgres', 'listSchemas'], ['redis', 'scanKeys'], ['mongodb', 'listDatabases']] as const) {
        const reply = await post(strict, org.owner.token, `/api/platform/databases/${saved[type]}/${type}/${operation}`, {});
        held(CS(`${type} ${operation} on a loopback database saved earlier, served with DATABASE_HOST_POLICY=public`, 'owner', '400 refused by the host policy, nothing connects'), answer(reply), reply.status === 400 && /host policy/.test(reply.body.error?.message ?? ''));
      }
      const tested = await post(strict, org.owner.token, `/api/platform/databases/${saved.redis}/test-connection`, {});
      const error = tested.body.error as { code?: string; message?: string } | undefined;
      held(CS('test-connection of that Redis database', 'owner', 'ok false, refused by the host policy'), `ok ${tested.body.ok}, ${error?.code}: ${error?.message?.slice(0, 100)}`, tested.body.ok === false && /host policy/.test(error?.message ?? ''));
    } finally {
      await strict.close();
    }
  });

  test('certificates are PEM text, checked, and stored sealed with the connection', async () => {
    const path = await add('postgres', 'postgresql://u:p@db.example.com/app?sslmode=verify-full', { tls: { ca: '/etc/ssl/certs/ca-certificates.crt' } });
    held(CS('POST /databases with tls.ca = a file path', 'developer', '400: PEM text, not a file name'), answer(path), refused(path) && /PEM/.test(path.body.error?.message ?? ''));
    const garbage = await add('postgres', 'postgresql://u:p@db.example.com/app?sslmode=verify-full', { tls: { ca: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----' } });
    held(CS('POST /databases with tls.ca = a broken certificate', 'developer', '400'), answer(garbage), refused(garbage));
    const ca = TEST_CA;
    const created = await add('postgres', 'postgresql://u:p@db.example.com/app?sslmode=verify-full', { tls: { ca } });
    const id = created.body.id as string;
    const { rows } = await local.platform.sql.query<{ tls: string }>('SELECT tls_encrypted AS tls FROM platform.databases WHERE id = $1', [id]);
    held(
      CS('POST /databases with tls.ca = a real CA certificate', 'developer', '201; tls.ca true; stored sealed (no PEM in the platform database)'),
      `${created.status}; tls ${JSON.stringify(created.body.tls)}; stored ${rows[0]?.tls?.startsWith('ogb1.') ? 'sealed' : 'IN CLEAR'}`,
      created.status === 201 && (created.body.tls as { ca: boolean }).ca && !!rows[0]?.tls?.startsWith('ogb1.') && !rows[0].tls.includes('BEGIN CERTIFICATE'),
    );
  });
});
