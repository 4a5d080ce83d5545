import { afterAll, beforeAll, describe, test } from 'bun:test';
import { Redis } from 'ioredis';
import { answer, held, type Attack } from './support/record';
import { createWorld, redisUrl, servicesReady, type World } from './support/world';

const REDIS = (attack: string, who: string, expected: string): Attack => ({ area: 'Redis', attack, who, expected });
const run = `attack${Math.random().toString(36).slice(2, 8)}`;

describe.skipIf(!servicesReady)('attacks on Redis through the platform', () => {
  let w: World;
  let admin: Redis;
  beforeAll(async () => {
    admin = new Redis(redisUrl!);
    await admin.set(`${run}:a`, 'one');
    await admin.hset(`${run}:h`, { f: 'v' });
    w = await createWorld('redis');
  });
  afterAll(async () => {
    await admin.del(`${run}:a`, `${run}:h`, `${run}:b`);
    admin.disconnect();
    await w?.close();
  });

  test('the platform created an ACL user that can only read, and read_only members use it', async () => {
    const info = await w.call('GET', `/api/platform/databases/${w.ids.redis}`, w.who.owner);
    held(REDIS('register a Redis database whose login may use ACL', 'owner', 'an ACL user is provisioned (readCredential: provisioned)'), `readCredential: ${info.body.readCredential}`, info.body.readCredential === 'provisioned');
    const row = (await w.f.platform.databases.forUser(w.ids.redis, (await w.f.admin.requireUser(w.acme.owner.email)).id))!.row;
    const credential = w.f.platform.databaseService.secrets.read(row);
    if (credential?.kind !== 'provisioned') throw new Error('no provisioned credential');
    const { hostname, port } = new URL(redisUrl!);
    const reader = new Redis({ host: hostname, port: Number(port), username: credential.user, password: credential.password, lazyConnect: true, maxRetriesPerRequest: 0 });
    await reader.connect();
    const tries: [string, () => Promise<unknown>][] = [
      ['SET', () => reader.set(`${run}:b`, 'x')],
      ['DEL', () => reader.del(`${run}:a`)],
      ['FLUSHALL', () => reader.flushall()],
      ['CONFIG SET', () => reader.config('SET', 'maxmemory', '1')],
      ['KEYS *', () => reader.keys('*')],
      ['EVAL', () => reader.eval("return redis.call('SET', KEYS[1], 'x')", 1, `${run}:b`)],
      ['ACL SETUSER', () => reader.call('ACL', 'SETUSER', 'pwned', 'on', '>x', '+@all')],
      ['CLIENT KILL', () => reader.call('CLIENT', 'KILL', 'TYPE', 'normal')],
      ['SHUTDOWN', () => reader.call('SHUTDOWN', 'NOSAVE')],
    ];
    for (const [command, attempt] of tries) {
      const outcome = await attempt().then((r) => `allowed (${String(r)})`, (e: Error) => e.message.split('\n')[0]!);
      held(REDIS(`${command} as the provisioned read-only ACL user`, 'anyone holding that login', 'NOPERM from Redis itself'), outcome, /NOPERM/.test(outcome));
    }
    const read = await reader.get(`${run}:a`);
    held(REDIS('GET as the provisioned read-only ACL user', 'anyone holding that login', 'allowed'), `GET -> ${read}`, read === 'one');
    reader.disconnect();

    await w.op('redis', 'scanKeys', { match: `${run}:*`, limit: 10 }, w.who.readOnly);
    const clients = String(await admin.call('CLIENT', 'LIST'));
    held(REDIS('scanKeys', 'read_only member', "runs as the read-only ACL user (seen in CLIENT LIST)"), clients.includes(`user=${credential.user}`) ? 'a connection as the read-only ACL user' : 'no connection as the read-only user', clients.includes(`user=${credential.user}`));
  });

  test('writes of every kind are refused for read_only members', async () => {
    for (const [name, params] of [
      ['setString', { key: `${run}:b`, value: 'x' }],
      ['deleteKeys', { keys: [`${run}:a`] }],
      ['deleteMatching', { match: `${run}:*` }],
      ['hashSet', { key: `${run}:h`, field: 'f', value: 'owned' }],
      ['expire', { key: `${run}:a`, ttl: 1 }],
      ['rename', { key: `${run}:a`, newKey: `${run}:b` }],
    ] as const) {
      const reply = await w.op('redis', name, params, w.who.readOnly);
      held(REDIS(name, 'read_only member', '403'), answer(reply, false), reply.status === 403);
    }
    const intact = (await admin.get(`${run}:a`)) === 'one' && (await admin.hget(`${run}:h`, 'f')) === 'v' && (await admin.ttl(`${run}:a`)) === -1;
    held(REDIS('after the writes above', 'the test', 'keys unchanged'), intact ? 'unchanged' : 'CHANGED', intact);
  });

  test('cursors and patterns from the caller cannot crash or widen a scan', async () => {
    for (const cursor of ['not-a-cursor', Buffer.from('{"n":"","c":"0 FLUSHALL","p":[]}').toString('base64url'), Buffer.from('{"n":"10.0.0.1:6379","c":"0","p":[]}').toString('base64url'), 'x'.repeat(10_000)]) {
      const reply = await w.op('redis', 'scanKeys', { cursor, limit: 5 }, w.who.readOnly);
      held(REDIS(`scanKeys with a forged cursor (${cursor.slice(0, 24)}…)`, 'read_only member', '400, never 500'), answer(reply, false), reply.status === 400);
    }
    const hostile = await w.op('redis', 'listNamespace', { prefix: `${run}:*[`, limit: 5 }, w.who.readOnly);
    const keys = ((hostile.body.keys as unknown[] | undefined)?.length ?? 0) + ((hostile.body.namespaces as unknown[] | undefined)?.length ?? 0);
    held(REDIS('listNamespace with a prefix full of glob characters', 'read_only member', 'matched literally: nothing listed'), `${hostile.status}, ${keys} entries`, hostile.status === 200 && keys === 0);
  });
});
