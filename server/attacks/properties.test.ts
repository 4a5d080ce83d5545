import { afterAll, beforeAll, describe, test } from 'bun:test';
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parse as parsePgUri } from 'pg-connection-string';
import { ConnectionStringError, maskConnectionString, parseConnectionString, type EngineType } from '../../src/core/connection-strings';
import { EngineError } from '../../src/core/engines/errors';
import { parseQueryObject, SERVER_JAVASCRIPT_OPERATORS, WRITING_OPERATORS } from '../../src/core/engines/mongodb/query-guard';
import { PostgresEngine } from '../../src/core/engines/postgres';
import { singleStatement, splitStatements } from '../../src/core/engines/postgres/sql-text';
import { connectRedisEngine, type RedisEngine } from '../../src/core/engines/redis/engine';
import { prefixPattern } from '../../src/core/engines/redis/keys';
import { defaultEngineSettings } from '../../src/core/engines/settings';
import { serverReachableHosts } from '../src/security/connection-checks';
import { createTestDatabase, type TestDatabase } from '../../test/support/services/postgres';
import { held, type Attack } from './support/record';
import { pgUrl, redisUrl, servicesReady } from './support/world';

const P = (attack: string, expected: string): Attack => ({ area: 'Properties', attack, who: 'fast-check', expected });

/** Runs a property and records it in the table with its run count (and the counterexample when it fails). */
async function property(attack: Attack, runs: number, check: fc.IAsyncProperty<[unknown]> | fc.IProperty<[unknown]>): Promise<void> {
  const outcome = await fc.check(check as fc.IAsyncProperty<[unknown]>, { numRuns: runs, seed: Number(process.env.OGELBASE_FC_SEED ?? Date.now() % 2 ** 31) });
  held(attack, outcome.failed ? `counterexample after ${outcome.numRuns} runs (seed ${outcome.seed}): ${fc.stringify(outcome.counterexample).slice(0, 200)}` : `${outcome.numRuns} random cases`, !outcome.failed);
}

const hostChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789.-_[]:%@/?#=&\\'.split(''));
const anyChars = fc.string({ unit: 'binary', maxLength: 40 });
const password = fc.string({ minLength: 4, maxLength: 24, unit: fc.constantFrom(...'abcdefXYZ0123456789!$&()*+,;=:@/?#[]% "\'\\~^`|{}<>\u00e9\u4e2d'.split('')) }).map((p) => `Pw${p}`);

describe.skipIf(!servicesReady)('property-based attacks', () => {
  let sqlDb: TestDatabase;
  let sqlClient: pg.Client;
  let pgEngine: PostgresEngine;
  let redis: Redis;
  let redisEngine: RedisEngine;
  const run = `prop${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    sqlDb = await createTestDatabase(pgUrl!, 'props');
    sqlClient = new pg.Client({ connectionString: sqlDb.url });
    await sqlClient.connect();
    await sqlClient.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await sqlClient.query("INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 50) g");
    pgEngine = new PostgresEngine(sqlDb.url, { max: 2 });
    redis = new Redis(redisUrl!);
    redisEngine = await connectRedisEngine(parseConnectionString('redis', redisUrl!) as never, defaultEngineSettings);
  });
  afterAll(async () => {
    await sqlClient?.end();
    await pgEngine?.close();
    const keys = await redis.keys(`${run}*`);
    if (keys.length) await redis.del(...keys);
    redis?.disconnect();
    await redisEngine?.close();
    await sqlDb?.drop();
  });

  test('connection-string parsers: any text is parsed or refused with a ConnectionStringError; masking never throws', async () => {
    for (const type of ['postgres', 'redis', 'mongodb'] as EngineType[]) {
      const scheme = { postgres: 'postgresql://', redis: 'redis://', mongodb: 'mongodb://' }[type];
      await property(
        P(`${type} parser on random text after ${scheme}`, 'a ConnectionStringError or a result; never another exception'),
        300,
        fc.property(fc.tuple(fc.string({ unit: hostChars, maxLength: 30 }), anyChars).map(([a, b]) => `${scheme}${a}${b}`) as fc.Arbitrary<unknown>, (text) => {
          try {
            parseConnectionString(type, text as string);
          } catch (error) {
            if (!(error instanceof ConnectionStringError)) return false;
          }
          return typeof maskConnectionString(text as string) === 'string';
        }),
      );
    }
  });

  test('connection-string masking and errors never show the password', async () => {
    await property(
      P('mask and parse errors of URIs with random passwords (any engine, any junk after)', 'the password appears in neither, raw or percent-encoded'),
      400,
      fc.property(
        fc.tuple(fc.constantFrom('postgresql', 'redis', 'mongodb', 'rediss+sentinel'), password, fc.string({ unit: hostChars, maxLength: 12 }), fc.constantFrom('', '/db', '/0?sslmode=bogus', '?x', ':99999/1')).map(
          ([scheme, pw, host, tail]) => ({ text: `${scheme}://user:${encodeURIComponent(pw)}@${host || 'h'}${tail}`, pw, raw: `${scheme}://user:${pw}@${host || 'h'}${tail}` }),
        ) as fc.Arbitrary<unknown>,
        (input) => {
          const { text, pw, raw } = input as { text: string; pw: string; raw: string };
          const shown: string[] = [maskConnectionString(text), maskConnectionString(raw)];
          for (const value of [text, raw]) {
            for (const type of ['postgres', 'redis', 'mongodb'] as EngineType[]) {
              try {
                parseConnectionString(type, value);
              } catch (error) {
                shown.push((error as Error).message);
              }
            }
          }
          return shown.every((s) => !s.includes(pw) && !s.includes(encodeURIComponent(pw)));
        },
      ),
    );
  });

  test("the server's checks never pass a PostgreSQL URI that node-postgres reads as another host", async () => {
    await property(
      P('random postgresql:// URIs: hosts per our parser (what the platform checks) vs node-postgres\' own parser', 'same host, or refused'),
      400,
      fc.property(
        fc.tuple(fc.constantFrom('db.example.com', '10.0.0.1', '[::1]', 'a%2Fb', ''), fc.constantFrom('', ':5432', ':5433'), fc.constantFrom('', '/app', '/a%20b'), fc.constantFrom('', '?host=other.example.com', '?sslmode=require', '?port=6000', '?host=%2Ftmp', '?user=x&host=169.254.169.254')).map((parts) => `postgresql://u:p@${parts.join('')}`) as fc.Arbitrary<unknown>,
        (text) => {
          let hosts: string[];
          try {
            hosts = serverReachableHosts('postgres', text as string);
          } catch {
            return true; // refused
          }
          let theirs: ReturnType<typeof parsePgUri>;
          try {
            theirs = parsePgUri(text as string, { useLibpqCompat: true });
          } catch {
            return true; // node-postgres cannot use it at all
          }
          return hosts.length === 1 && String(theirs.host ?? '').replace(/^\[|\]$/g, '').toLowerCase() === hosts[0]!.replace(/^\[|\]$/g, '').toLowerCase();
        },
      ),
    );
  });

  test('the SQL splitter counts statements exactly as PostgreSQL does, whatever the quotes and comments', async () => {
    const literal = fc.oneof(
      fc.string({ unit: fc.constantFrom(...";'-/*\r\n$ab\\\"".split('')), maxLength: 12 }).map((s) => `'${s.replace(/'/g, "''")}'`),
      fc.string({ unit: fc.constantFrom(...";'-/*\r\n$abn\\".split('')), maxLength: 12 }).map((s) => `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`),
      fc.tuple(fc.constantFrom('', 'q', 'x_1'), fc.string({ unit: fc.constantFrom(...";'-/*\r\n$ab".split('')), maxLength: 12 })).filter(([tag, s]) => !`${s}$`.includes(`$${tag}$`)).map(([tag, s]) => `$${tag}$${s}$${tag}$`),
      fc.integer({ min: 0, max: 999 }).map(String),
    );
    const comment = fc.oneof(
      fc.constant(''),
      fc.string({ unit: fc.constantFrom(...";'ab */".split('')), maxLength: 8 }).map((s) => `-- ${s}${['\n', '\r', '\r\n'][s.length % 3]}`),
      fc.string({ unit: fc.constantFrom(...";'ab-\r\n".split('')), maxLength: 8 }).map((s) => `/* ${s} /* ${s} */ */`),
    );
    const statement = fc.tuple(comment, fc.array(literal, { minLength: 1, maxLength: 3 }), comment).map(([a, values, b]) => `${a}SELECT ${values.join(', ')} ${b}`);
    await property(
      P('random scripts of SELECTs of quoted, E-escaped and dollar-quoted literals with -- (\\n, \\r) and nested /* */ comments', 'the splitter counts what PostgreSQL runs; singleStatement accepts only one'),
      250,
      fc.asyncProperty(fc.array(statement, { minLength: 1, maxLength: 4 }).map((list) => list.join(';')) as fc.Arbitrary<unknown>, async (script) => {
        const text = script as string;
        await sqlClient.query('BEGIN READ ONLY');
        let counted: number;
        try {
          const result = await sqlClient.query(text);
          counted = Array.isArray(result) ? result.length : 1;
        } finally {
          await sqlClient.query('ROLLBACK');
        }
        const ours = splitStatements(text).length;
        let single: boolean;
        try {
          singleStatement(text);
          single = true;
        } catch {
          single = false;
        }
        return ours === counted && single === (counted === 1);
      }),
    );
  });

  test('Extended JSON filters: JavaScript and writing operators are refused at any depth, nothing else is', async () => {
    const key = fc.constantFrom('a', 'b.c', '$and', '$or', '$expr', '$eq', '$in', ...SERVER_JAVASCRIPT_OPERATORS, ...WRITING_OPERATORS);
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.integer(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 3 })),
    })).node;
    const hasKey = (value: unknown, keys: readonly string[]): boolean =>
      Array.isArray(value) ? value.some((v) => hasKey(v, keys)) : value !== null && typeof value === 'object' ? Object.entries(value).some(([k, v]) => keys.includes(k) || hasKey(v, keys)) : false;
    for (const serverJavaScript of [false, true]) {
      await property(
        P(`random filters (objects nested with $where, $function, $accumulator, $out, $merge anywhere), serverJavaScript ${serverJavaScript ? 'on' : 'off'}`, 'refused exactly when a refused operator is present; only ever an EngineError'),
        500,
        fc.property(fc.dictionary(key, tree, { maxKeys: 4 }) as fc.Arbitrary<unknown>, (filter) => {
          const refusedKeys = serverJavaScript ? WRITING_OPERATORS : [...SERVER_JAVASCRIPT_OPERATORS, ...WRITING_OPERATORS];
          let refused = false;
          try {
            parseQueryObject(JSON.stringify(filter), 'filter', { serverJavaScript });
          } catch (error) {
            if (!(error instanceof EngineError) || error.code !== 'invalid_input') return false;
            refused = true;
          }
          return refused === hasKey(filter, refusedKeys);
        }),
      );
    }
  });

  test('Redis namespaces: the SCAN pattern of a prefix matches exactly the keys that start with it, whatever bytes it holds', async () => {
    await property(
      P('random binary prefixes (with * ? [ ] \\ and invalid UTF-8) against real Redis SCAN MATCH', 'exactly the keys starting with the prefix; none of the look-alikes'),
      60,
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 10 }).map((bytes) => Buffer.from(bytes.map((b) => [0x2a, 0x3f, 0x5b, 0x5d, 0x5c, 0xff, 0x3a][b % 7]!))) as fc.Arbitrary<unknown>, async (raw) => {
        const prefix = Buffer.concat([Buffer.from(`${run}:${Math.random().toString(36).slice(2, 6)}:`), raw as Buffer]);
        const inside = [Buffer.concat([prefix, Buffer.from('k1')]), prefix];
        const lookalikes = [Buffer.concat([prefix.subarray(0, -1), Buffer.from('x')]), Buffer.concat([prefix.subarray(0, -1), Buffer.from('Zk')])];
        for (const k of [...inside, ...lookalikes]) await redis.set(k, '1');
        const found: string[] = [];
        let cursor = '0';
        do {
          const [next, keys] = (await redis.callBuffer('SCAN', cursor, 'MATCH', prefixPattern(prefix), 'COUNT', 1000)) as [Buffer, Buffer[]];
          cursor = next.toString();
          found.push(...keys.map((k) => k.toString('hex')));
        } while (cursor !== '0');
        await redis.del(...inside, ...lookalikes);
        return found.sort().join() === inside.map((k) => k.toString('hex')).sort().join();
      }),
    );
  });

  test('pagination cursors: any text is a cursor the engine refuses cleanly, never an error of another kind', async () => {
    const forged = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.json().map((j) => Buffer.from(j).toString('base64url')),
      fc.record({ n: fc.string(), c: fc.string(), p: fc.array(fc.string()) }).map((o) => Buffer.from(JSON.stringify(o)).toString('base64url')),
      fc.record({ s: fc.string(), v: fc.array(fc.oneof(fc.string(), fc.constant(null), fc.integer())), r: fc.integer() }).map((o) => Buffer.from(JSON.stringify(o)).toString('base64url')),
    );
    await property(
      P('random Redis scan cursors (scanKeys)', 'a page or invalid_input'),
      150,
      fc.asyncProperty(forged as fc.Arbitrary<unknown>, async (cursor) =>
        redisEngine.scanKeys({ cursor: cursor as string, match: `${run}:*`, limit: 5 }).then(
          () => true,
          (error: unknown) => error instanceof EngineError && error.code === 'invalid_input',
        ),
      ),
    );
    await property(
      P('random PostgreSQL keyset cursors (rowsPage after)', 'a page or invalid_input; the table intact'),
      150,
      fc.asyncProperty(forged as fc.Arbitrary<unknown>, async (after) =>
        pgEngine.rowsPage({ schema: 'public', name: 't', pageSize: 5, after: after as string }).then(
          () => true,
          (error: unknown) => error instanceof EngineError && error.code === 'invalid_input',
        ),
      ),
    );
    const { rows } = await sqlClient.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
    held(P('after every random cursor above', 'the table still has its 50 rows'), `${rows[0]!.n} rows`, rows[0]!.n === 50);
  });
});
