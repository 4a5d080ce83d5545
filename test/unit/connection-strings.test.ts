import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  ConnectionStringError,
  describeEndpoint,
  detectEngine,
  isPrivateNetworkHost,
  maskConnectionString,
  parseConnectionString,
  UNPARSEABLE,
  type ConnectionStringReason,
  type EngineType,
  type MongoConnection,
  type PostgresConnection,
  type RedisConnection,
} from '../../src/core/connection-strings';

const PW = 'S3cr3t-Pa55';

/** The password, and every 6-character piece of it, must appear nowhere in what an error shows. */
function assertNoSecret(text: string, secret = PW): void {
  assert.ok(!text.includes(secret), `leaks the password: ${text}`);
  for (let i = 0; i + 6 <= secret.length; i++) {
    assert.ok(!text.includes(secret.slice(i, i + 6)), `leaks part of the password (${secret.slice(i, i + 6)}): ${text}`);
  }
}

function expectError(engine: EngineType, input: string, reason: ConnectionStringReason, pattern?: RegExp): ConnectionStringError {
  let caught: unknown;
  try {
    parseConnectionString(engine, input);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConnectionStringError, `expected a ConnectionStringError for ${maskConnectionString(input)}, got ${String(caught)}`);
  assert.equal(caught.reason, reason, `${maskConnectionString(input)}: ${caught.message}`);
  assert.equal(caught.engine, engine);
  assert.equal(caught.name, 'ConnectionStringError');
  if (pattern) assert.match(caught.message, pattern);
  for (const shown of [caught.message, String(caught), caught.stack ?? '', inspect(caught), JSON.stringify(caught)]) assertNoSecret(shown);
  return caught;
}

const pg = (s: string) => parseConnectionString('postgres', s) as PostgresConnection;
const redis = (s: string) => parseConnectionString('redis', s) as RedisConnection;
const mongo = (s: string) => parseConnectionString('mongodb', s) as MongoConnection;

describe('connection strings', () => {
  describe('PostgreSQL URIs', () => {
    it('parses the seed forms: internal, external and with sslmode', () => {
      assert.deepEqual(pg(`postgresql://postgres:${PW}@postgres.railway.internal:5432/postgres`), {
        engine: 'postgres',
        form: 'uri',
        hosts: [{ host: 'postgres.railway.internal', port: 5432 }],
        user: 'postgres',
        password: PW,
        database: 'postgres',
        params: {},
      });
      const external = pg(`postgresql://postgres:${PW}@roundhouse.proxy.rlwy.net:12345/postgres`);
      assert.deepEqual(external.hosts, [{ host: 'roundhouse.proxy.rlwy.net', port: 12345 }]);
      const ssl = pg(`postgresql://postgres:${PW}@postgres.railway.internal:5432/postgres?sslmode=require`);
      assert.equal(ssl.sslmode, 'require');
      assert.deepEqual(ssl.params, { sslmode: 'require' });
    });

    it('accepts postgres:// and any case of the scheme', () => {
      assert.equal(pg('postgres://me@db.example.com/app').database, 'app');
      assert.equal(pg('PostgreSQL://me@db.example.com/app').user, 'me');
    });

    it('defaults the port to 5432 and the database to the user name, else postgres', () => {
      const p = pg('postgresql://alice@db.example.com');
      assert.deepEqual(p.hosts, [{ host: 'db.example.com', port: 5432 }]);
      assert.equal(p.database, 'alice');
      assert.equal(p.password, undefined);
      assert.equal(pg('postgresql://db.example.com/').database, 'postgres');
      assert.equal(pg('postgresql://db.example.com').user, undefined);
    });

    it('parses several hosts with their own ports, and target_session_attrs', () => {
      const p = pg('postgresql://me:pw@h1.example.com:5432,h2.example.com:5433,h3.example.com/app?target_session_attrs=read-write');
      assert.deepEqual(p.hosts, [
        { host: 'h1.example.com', port: 5432 },
        { host: 'h2.example.com', port: 5433 },
        { host: 'h3.example.com', port: 5432 },
      ]);
      assert.equal(p.targetSessionAttrs, 'read-write');
    });

    it('parses IPv6 literals in brackets', () => {
      assert.deepEqual(pg('postgresql://[::1]:5433/db').hosts, [{ host: '::1', port: 5433 }]);
      assert.deepEqual(pg('postgresql://u@[2001:db8::7],[::1]/db').hosts, [
        { host: '2001:db8::7', port: 5432 },
        { host: '::1', port: 5432 },
      ]);
    });

    it('reads a unix socket directory from ?host= or from a percent-encoded host', () => {
      assert.deepEqual(pg('postgresql:///app?host=/var/run/postgresql').hosts, [{ host: '/var/run/postgresql', port: 5432 }]);
      assert.deepEqual(pg('postgresql://%2Fvar%2Frun%2Fpostgresql:5433/app').hosts, [{ host: '/var/run/postgresql', port: 5433 }]);
      assert.deepEqual(pg('postgresql://u@/app?host=/tmp&port=6000').hosts, [{ host: '/tmp', port: 6000 }]);
      assert.deepEqual(pg('postgresql://h:6000/app?host=/tmp').hosts, [{ host: '/tmp', port: 6000 }], 'the URI port stays, as in libpq');
    });

    it('reads the query parameters, decoding only percent-escapes as libpq does', () => {
      const p = pg(
        'postgresql://u:p@h/app?connect_timeout=10&application_name=my+app%20one&options=-c%20search_path%3Dapp' +
          '&sslmode=verify-full&sslrootcert=/etc/ssl/root.crt&sslcert=/home/u/.postgresql/u.crt&sslkey=/home/u/.postgresql/u.key',
      );
      assert.equal(p.connectTimeout, 10);
      assert.equal(p.applicationName, 'my+app one');
      assert.equal(p.options, '-c search_path=app');
      assert.equal(p.sslmode, 'verify-full');
      assert.equal(p.sslrootcert, '/etc/ssl/root.crt');
      assert.equal(p.sslcert, '/home/u/.postgresql/u.crt');
      assert.equal(p.sslkey, '/home/u/.postgresql/u.key');
      assert.equal(p.params.connect_timeout, '10');
    });

    it('decodes percent-encoded user names and passwords', () => {
      const p = pg('postgresql://us%40er:p%40ss%25w%2Ford%3A@h/db');
      assert.equal(p.user, 'us@er');
      assert.equal(p.password, 'p@ss%w/ord:');
      assert.equal(pg('postgresql://u:pa:ss@h/db').password, 'pa:ss', 'libpq reads everything after the first colon');
    });

    it('lets query parameters override the URI parts, as libpq does', () => {
      const p = pg('postgresql://a@h/one?user=b&password=secret&dbname=two&host=other.example.com&port=6432');
      assert.equal(p.user, 'b');
      assert.equal(p.password, 'secret');
      assert.equal(p.database, 'two');
      assert.deepEqual(p.hosts, [{ host: 'other.example.com', port: 6432 }]);
      assert.equal(p.params.password, undefined, 'credentials never sit in params');
    });

    it("keeps an '@' inside a parameter value (not a misplaced user info)", () => {
      assert.equal(pg(`postgresql://u:${PW}@h/db?application_name=me@home`).applicationName, 'me@home');
    });

    it("maps node-postgres' ssl=true|false onto sslmode", () => {
      assert.equal(pg('postgresql://h/db?ssl=true').sslmode, 'verify-full');
      assert.equal(pg('postgresql://h/db?ssl=0').sslmode, 'disable');
      assert.equal(pg('postgresql://h/db?ssl=true&sslmode=require').sslmode, 'require');
    });
  });

  describe('PostgreSQL keyword/value form', () => {
    it('parses keywords, quoting and escapes', () => {
      const p = pg(`host=db.example.com port=5432 dbname=app user=me password='a b\\'c\\\\d' application_name = tool`);
      assert.equal(p.form, 'keyword');
      assert.deepEqual(p.hosts, [{ host: 'db.example.com', port: 5432 }]);
      assert.equal(p.database, 'app');
      assert.equal(p.user, 'me');
      assert.equal(p.password, "a b'c\\d");
      assert.equal(p.applicationName, 'tool');
    });

    it('pairs host and port lists, takes bare IPv6 and socket directories', () => {
      assert.deepEqual(pg('host=h1,h2 port=5432,5433 dbname=x').hosts, [
        { host: 'h1', port: 5432 },
        { host: 'h2', port: 5433 },
      ]);
      assert.deepEqual(pg('host=h1,h2 port=6000').hosts, [
        { host: 'h1', port: 6000 },
        { host: 'h2', port: 6000 },
      ]);
      assert.deepEqual(pg('host=::1 user=me').hosts, [{ host: '::1', port: 5432 }]);
      assert.deepEqual(pg('host=/var/run/postgresql dbname=app').hosts, [{ host: '/var/run/postgresql', port: 5432 }]);
      assert.equal(pg("host=h password='' sslmode=disable").password, '');
    });

    it('lets a later keyword override an earlier one, and accepts unquoted backslash escapes', () => {
      const p = pg('host=a host=b password=x\\ y');
      assert.deepEqual(p.hosts, [{ host: 'b', port: 5432 }]);
      assert.equal(p.password, 'x y');
    });
  });

  describe('PostgreSQL errors (each with the password in the input)', () => {
    const cases: Array<[string, ConnectionStringReason, RegExp]> = [
      ['', 'empty', /empty/],
      ['   \n ', 'empty', /empty/],
      [`mysql://root:${PW}@h/db`, 'scheme', /starts with postgresql:\/\/ or postgres:\/\/.*\(got mysql:\/\/\)/],
      [`redis://default:${PW}@h:6379`, 'scheme', /got redis:\/\/\): this looks like a Redis connection string/],
      [`db.example.com:5432/app`, 'scheme', /got no scheme/],
      [`postgresql://postgres:${PW}@/db`, 'host', /names no host/],
      [`postgresql://postgres:${PW}@:5432/db`, 'host', /host name is missing/],
      [`postgresql://postgres:${PW}@h1,,h2/db`, 'host', /empty entry/],
      [`postgresql://postgres:${PW}@::1/db`, 'host', /IPv6.*brackets/],
      [`postgresql://postgres:${PW}@[::1/db`, 'host', /closing '\]'/],
      [`postgresql://postgres:${PW}@exa_mple^.com/db`, 'host', /not a valid host name/],
      [`postgresql://postgres:${PW}@h:abc/db`, 'port', /port 'abc' of host 'h' is not a number/],
      [`postgresql://postgres:${PW}@h:0/db`, 'port', /outside 1-65535/],
      [`postgresql://postgres:${PW}@h:65536/db`, 'port', /port 65536 .*outside 1-65535/],
      [`postgresql://postgres:${PW}@h:/db`, 'port', /empty after ':'/],
      [`host=a,b,c port=1,2 password=${PW}`, 'port', /3 hosts but 2 ports/],
      [`postgresql://postgres:${PW}@h/db?sslmode=requir`, 'option', /sslmode 'requir' is not one of disable, allow, prefer, require, verify-ca, verify-full/],
      [`postgresql://postgres:${PW}@h/db?sslmode=no-verify`, 'option', /sslmode 'no-verify'/],
      [`postgresql://postgres:${PW}@h/db?connect_timeout=ten`, 'option', /connect_timeout 'ten' is not a whole number/],
      [`postgresql://postgres:${PW}@h/db?target_session_attrs=master`, 'option', /target_session_attrs 'master' is not one of any, read-write/],
      [`postgresql://postgres:${PW}@h/db?foo=bar`, 'option', /unknown parameter 'foo'/],
      [`postgresql://postgres:${PW}@h/db?sslmode`, 'option', /has no value/],
      [`postgresql://postgres:${PW}@h/db?ssl=false&sslmode=require`, 'option', /contradicts sslmode=require/],
      [`Host=h password=${PW}`, 'option', /libpq names are lower case: host/],
      [`postgresql://postgres:S3cr3t@Pa55@h/db`, 'encoding', /percent-encode '@' in the password as %40/],
      [`postgresql://postgres:S3cr3t/Pa55@h/db`, 'encoding', /percent-encode '\/' in the password as %2F/],
      [`postgresql://postgres:S3cr3t?Pa55@h/db`, 'encoding', /percent-encode '\?' in the password as %3F/],
      [`postgresql://postgres:S3cr3t#Pa55@h/db`, 'encoding', /percent-encode '#' in the password as %23/],
      [`postgresql://postgres:1234/S3cr3t-Pa55@h/db`, 'encoding', /percent-encode '\/' in the password/],
      [`postgresql://postgres:${PW}%zz@h/db`, 'encoding', /password contains a '%' that does not start a percent-escape/],
      [`postgresql://postgres:${PW}@h/db%zz`, 'encoding', /database name contains a '%'/],
      [`postgresql://postgres:${PW}@h/d#b`, 'syntax', /'#'.*%23/],
      [`postgresql://postgres:S3cr3t Pa55@h/db`, 'whitespace', /a space at position/],
      [`postgresql://postgres:${PW}@h/db\nsslmode=require`, 'whitespace', /line break/],
      [`host=h password=S3cr3t Pa55 dbname=app`, 'syntax', /not followed by '='.*password='a b'/],
      [`host=h password='${PW} dbname=app`, 'syntax', /no closing quote/],
      [`host=h =x password=${PW}`, 'syntax', /no parameter name/],
      [`host=h port=54x32 password=${PW}`, 'port', /'54x32' is not a number/],
      [`dbname=app password=${PW}`, 'host', /add host=/],
    ];
    for (const [input, reason, pattern] of cases) {
      it(`${reason}: ${JSON.stringify(maskConnectionString(input))}`, () => expectError('postgres', input, reason, pattern));
    }
  });

  describe('Redis', () => {
    it('parses the seed forms', () => {
      assert.deepEqual(redis(`redis://default:${PW}@redis.railway.internal:6379`), {
        engine: 'redis',
        topology: 'standalone',
        tls: false,
        hosts: [{ host: 'redis.railway.internal', port: 6379 }],
        username: 'default',
        password: PW,
        options: {},
        db: 0,
      });
      const tls = redis(`rediss://default:${PW}@redis-production-abc.up.railway.app:6380`);
      assert.equal(tls.tls, true);
      assert.deepEqual(tls.hosts, [{ host: 'redis-production-abc.up.railway.app', port: 6380 }]);
      assert.equal(redis(`redis://default:${PW}@redis.railway.internal:6379/0`).db, 0);
    });

    it('takes a password without a user, no credentials, and the default port', () => {
      const p = redis(`redis://:${PW}@cache.example.com`);
      assert.equal(p.username, undefined);
      assert.equal(p.password, PW);
      assert.deepEqual(p.hosts, [{ host: 'cache.example.com', port: 6379 }]);
      const bare = redis('redis://cache.example.com');
      assert.equal(bare.password, undefined);
      assert.equal(bare.db, 0);
      assert.equal(redis('redis://user:@h').password, '');
      assert.deepEqual(redis('redis://[::1]:6380').hosts, [{ host: '::1', port: 6380 }]);
    });

    it('reads the db index from the path or ?db=, and tls, family, connectTimeout', () => {
      assert.equal(redis('redis://h/3').db, 3);
      assert.equal(redis('redis://h?db=5').db, 5);
      assert.equal(redis('redis://h/5?db=5').db, 5);
      const p = redis('redis://h/1?tls=true&family=6&connectTimeout=5000');
      assert.equal(p.tls, true);
      assert.equal(p.family, 6);
      assert.equal(p.connectTimeout, 5000);
      assert.deepEqual(p.options, { tls: 'true', family: '6', connectTimeout: '5000' });
      assert.equal(redis(`redis://h?password=${PW}`).password, PW);
    });

    it('parses our Sentinel form', () => {
      const p = redis(`redis+sentinel://default:${PW}@s1.example.com:26379,s2.example.com:26380,s3.example.com/mymaster/2?sentinelUsername=sen&sentinelPassword=sp&tls=true`);
      assert.equal(p.topology, 'sentinel');
      if (p.topology !== 'sentinel') return;
      assert.equal(p.masterName, 'mymaster');
      assert.equal(p.db, 2);
      assert.equal(p.tls, true);
      assert.deepEqual(p.hosts.map((h) => h.port), [26379, 26380, 26379]);
      assert.equal(p.password, PW);
      assert.equal(p.sentinelUsername, 'sen');
      assert.equal(p.sentinelPassword, 'sp');
      assert.equal(p.options.sentinelPassword, undefined);
      const alias = redis('redis-sentinel://s1,s2/my%20master');
      assert.equal(alias.topology, 'sentinel');
      assert.equal(alias.topology === 'sentinel' && alias.masterName, 'my master');
      assert.equal(redis('rediss+sentinel://s1/m').tls, true);
    });

    it('parses our Cluster form', () => {
      const p = redis(`redis+cluster://u:${PW}@n1.example.com:7000,n2.example.com:7001`);
      assert.equal(p.topology, 'cluster');
      assert.equal(p.db, 0);
      assert.deepEqual(p.hosts, [
        { host: 'n1.example.com', port: 7000 },
        { host: 'n2.example.com', port: 7001 },
      ]);
      assert.equal(redis('rediss+cluster://n1').tls, true);
      assert.deepEqual(redis('redis+cluster://n1/').hosts, [{ host: 'n1', port: 6379 }]);
    });

    describe('errors (each with the password in the input)', () => {
      const cases: Array<[string, ConnectionStringReason, RegExp]> = [
        ['', 'empty', /empty/],
        [`postgresql://postgres:${PW}@h/db`, 'scheme', /a Redis connection string starts with redis:\/\/ or rediss:\/\/.*\(got postgresql:\/\/\)/],
        [`memcached://u:${PW}@h`, 'scheme', /got memcached:\/\//],
        [`redis://default:${PW}@`, 'host', /names no host/],
        [`redis://default:${PW}@h1:6379,h2:6379`, 'host', /has one host \(got 2\).*redis\+sentinel.*redis\+cluster/],
        [`redis://default:${PW}@h:99999`, 'port', /outside 1-65535/],
        [`redis://default:${PW}@h:redis`, 'port', /not a number/],
        [`redis://default:${PW}@h/abc`, 'database', /database index 'abc' is not a whole number/],
        [`redis://default:${PW}@h/-1`, 'database', /'-1'/],
        [`redis://default:${PW}@h/0/1`, 'database', /not a whole number/],
        [`redis://default:${PW}@h/1?db=2`, 'database', /1 in the path but 2 in \?db=/],
        [`redis://default:${PW}@h?db=x`, 'database', /'x'/],
        [`rediss://default:${PW}@h?tls=false`, 'option', /contradicts the rediss:\/\/ scheme/],
        [`redis://default:${PW}@h?tls=yes`, 'option', /tls must be true or false/],
        [`redis://default:${PW}@h?family=5`, 'option', /family '5' is not 4 or 6/],
        [`redis://default:${PW}@h?connectTimeout=soon`, 'option', /connectTimeout 'soon'/],
        [`redis://default:${PW}@h?sentinelPassword=x`, 'option', /unknown parameter 'sentinelPassword' for a single server/],
        [`redis://default:${PW}@h?password=other`, 'credentials', /given twice/],
        [`redis://${PW}@h`, 'credentials', /ambiguous/],
        [`redis+sentinel://default:${PW}@s1,s2`, 'database', /names the master group/],
        [`redis+sentinel://default:${PW}@s1/m/1/2`, 'database', /nothing after the db index/],
        [`redis+cluster://default:${PW}@n1/3`, 'database', /only database 0/],
        [`redis+cluster://default:${PW}@n1?db=1`, 'option', /unknown parameter 'db' for Redis cluster/],
        [`redis://default:S3cr3t@Pa55@h`, 'encoding', /percent-encode '@' in the password as %40/],
        [`redis://default:S3cr3t/Pa55@h`, 'encoding', /percent-encode '\/' in the password as %2F/],
        [`redis://default:${PW}@h\t/0`, 'whitespace', /tab/],
      ];
      for (const [input, reason, pattern] of cases) {
        it(`${reason}: ${JSON.stringify(maskConnectionString(input))}`, () => expectError('redis', input, reason, pattern));
      }
    });
  });

  describe('MongoDB', () => {
    it('parses the seed forms', () => {
      assert.deepEqual(mongo(`mongodb://admin:${PW}@mongodb.railway.internal:27017/ogelbase?authSource=admin`), {
        engine: 'mongodb',
        srv: false,
        hosts: [{ host: 'mongodb.railway.internal', port: 27017 }],
        username: 'admin',
        password: PW,
        database: 'ogelbase',
        authSource: 'admin',
        tls: false,
        options: { authSource: 'admin' },
      });
      const opts = mongo(`mongodb://admin:${PW}@mongodb.railway.internal:27017/ogelbase?authSource=admin&retryWrites=true&w=majority`);
      assert.equal(opts.retryWrites, true);
      assert.equal(opts.w, 'majority');
      const rs = mongo(`mongodb://admin:${PW}@mongo1.railway.internal:27017,mongo2.railway.internal:27017,mongo3.railway.internal:27017/ogelbase?replicaSet=rs0`);
      assert.equal(rs.hosts.length, 3);
      assert.equal(rs.replicaSet, 'rs0');
      assert.equal(rs.authSource, 'ogelbase', 'authSource defaults to the database');
    });

    it('defaults the port, the database and authSource', () => {
      const p = mongo('mongodb://h1,h2:27018');
      assert.deepEqual(p.hosts, [
        { host: 'h1', port: 27017 },
        { host: 'h2', port: 27018 },
      ]);
      assert.equal(p.database, undefined);
      assert.equal(p.authSource, 'admin');
      assert.equal(mongo('mongodb://h/').database, undefined);
      assert.deepEqual(mongo('mongodb://[::1]/db').hosts, [{ host: '::1', port: 27017 }]);
      assert.deepEqual(mongo('mongodb://%2Ftmp%2Fmongodb-27017.sock/db').hosts, [{ host: '/tmp/mongodb-27017.sock', port: 27017 }]);
    });

    it('parses mongodb+srv:// with TLS on by default', () => {
      const p = mongo(`mongodb+srv://app:${PW}@cluster0.example.net/app?retryWrites=true`);
      assert.equal(p.srv, true);
      assert.equal(p.tls, true);
      assert.deepEqual(p.hosts, [{ host: 'cluster0.example.net', port: 27017 }]);
      assert.equal(mongo('mongodb+srv://cluster0.example.net/?tls=false').tls, false);
      assert.equal(mongo('mongodb+srv://cluster0.example.net/?srvServiceName=mongo&srvMaxHosts=2').options.srvMaxHosts, 2);
    });

    it('matches option names case-insensitively and canonicalises names and enumerated values', () => {
      const p = mongo('mongodb://h/db?REPLICASET=rs0&authsource=admin&readpreference=SecondaryPreferred&appname=explorer&TLS=TRUE&ssl=true&connecttimeoutms=2000&w=2');
      assert.equal(p.replicaSet, 'rs0');
      assert.equal(p.authSource, 'admin');
      assert.equal(p.readPreference, 'secondaryPreferred');
      assert.equal(p.appName, 'explorer');
      assert.equal(p.tls, true);
      assert.equal(p.w, 2);
      assert.deepEqual(p.options, {
        replicaSet: 'rs0',
        authSource: 'admin',
        readPreference: 'secondaryPreferred',
        appName: 'explorer',
        tls: true,
        ssl: true,
        connectTimeoutMS: 2000,
        w: 2,
      });
    });

    it('collects readPreferenceTags, and resolves authSource per mechanism', () => {
      assert.deepEqual(mongo('mongodb://h/?readPreferenceTags=dc:ny&readPreferenceTags=').options.readPreferenceTags, ['dc:ny', '']);
      const x509 = mongo('mongodb://CN%3Dclient@h/app?authMechanism=MONGODB-X509&tls=true');
      assert.equal(x509.username, 'CN=client');
      assert.equal(x509.authSource, '$external');
      assert.equal(mongo('mongodb://u:p@h/app?authMechanism=scram-sha-256').authMechanism, 'SCRAM-SHA-256');
    });

    it('decodes percent-encoded credentials and keeps the secret options out of options', () => {
      const p = mongo('mongodb://us%2Fer:p%40ss%3Aw%2Ford%25@h/db?proxyHost=px&proxyPassword=pp&tlsCertificateKeyFilePassword=kp');
      assert.equal(p.username, 'us/er');
      assert.equal(p.password, 'p@ss:w/ord%');
      assert.equal(p.proxyPassword, 'pp');
      assert.equal(p.tlsCertificateKeyFilePassword, 'kp');
      assert.deepEqual(p.options, { proxyHost: 'px' });
      assert.equal(mongo('mongodb://user@h').password, undefined);
    });

    describe('errors (each with the password in the input)', () => {
      const cases: Array<[string, ConnectionStringReason, RegExp]> = [
        ['', 'empty', /empty/],
        [`redis://default:${PW}@h`, 'scheme', /starts with mongodb:\/\/ or mongodb\+srv:\/\/ \(got redis:\/\/\)/],
        [`mongodb://admin:S3cr3t@Pa55@h/db`, 'encoding', /percent-encode '@' in the password as %40/],
        [`mongodb://admin:S3cr3t:Pa55@h/db`, 'encoding', /percent-encode ':' in the password as %3A/],
        [`mongodb://admin:S3cr3t/Pa55@h/db`, 'encoding', /percent-encode '\/' in the password as %2F/],
        [`mongodb://admin:S3cr3t[Pa55@h/db`, 'encoding', /percent-encode '\[' in the password as %5B/],
        [`mongodb://ad@min:${PW}@h/db`, 'encoding', /percent-encode '@' in the user name as %40/],
        [`mongodb://ad/min:${PW}@h/db`, 'encoding', /percent-encode '\/' in the user name as %2F/],
        [`mongodb://admin:${PW}%2@h/db`, 'encoding', /password contains a '%'/],
        [`mongodb://:${PW}@h/db`, 'credentials', /password but no user name/],
        [`mongodb://admin:${PW}@h/db?authMechanism=MONGODB-X509`, 'credentials', /remove the password/],
        [`mongodb://h/db?authMechanism=SCRAM-SHA-256`, 'credentials', /needs a user name/],
        [`mongodb://admin:${PW}@/db`, 'host', /names no host/],
        [`mongodb://admin:${PW}@h1,/db`, 'host', /empty entry/],
        [`mongodb://admin:${PW}@h:27o17/db`, 'port', /'27o17'.*not a number/],
        [`mongodb://admin:${PW}@h:100000/db`, 'port', /outside 1-65535/],
        [`mongodb+srv://admin:${PW}@cluster0.example.net:27017/db`, 'port', /has no port/],
        [`mongodb+srv://admin:${PW}@a.example.net,b.example.net/db`, 'host', /exactly one host name/],
        [`mongodb+srv://admin:${PW}@cluster0.example.net/db?directConnection=true`, 'option', /cannot be used with mongodb\+srv/],
        [`mongodb://admin:${PW}@h1,h2/db?directConnection=true`, 'option', /exactly one server/],
        [`mongodb://admin:${PW}@h1,h2/db?loadBalanced=true`, 'option', /loadBalanced=true takes exactly one host/],
        [`mongodb://admin:${PW}@h/db?srvMaxHosts=2`, 'option', /only to mongodb\+srv/],
        [`mongodb://admin:${PW}@h/db?tls=true&ssl=false`, 'option', /tls=true and ssl=false disagree/],
        [`mongodb://admin:${PW}@h/db?tlsInsecure=true&tlsAllowInvalidCertificates=true`, 'option', /tlsInsecure already sets/],
        [`mongodb://admin:${PW}@h/db?readPreference=fastest`, 'option', /readPreference 'fastest' is not one of primary, primaryPreferred, secondary, secondaryPreferred, nearest/],
        [`mongodb://admin:${PW}@h/db?authMechanism=MONGODB-CR`, 'option', /authMechanism 'MONGODB-CR' is not one of SCRAM-SHA-1/],
        [`mongodb://admin:${PW}@h/db?connectTimeoutMS=10s`, 'option', /connectTimeoutMS must be a whole number of milliseconds \(got '10s'\)/],
        [`mongodb://admin:${PW}@h/db?socketTimeoutMS=-5`, 'option', /socketTimeoutMS must be a whole number/],
        [`mongodb://admin:${PW}@h/db?retryWrites=yes`, 'option', /retryWrites must be true or false \(got 'yes'\)/],
        [`mongodb://admin:${PW}@h/db?compressors=gzip`, 'option', /compressors 'gzip'/],
        [`mongodb://admin:${PW}@h/db?replSet=rs0`, 'option', /unknown option 'replSet'/],
        [`mongodb://admin:${PW}@h/db?w=`, 'option', /w is empty/],
        [`mongodb://admin:${PW}@h?w=1`, 'syntax', /put a '\/' between the hosts and the options/],
        [`mongodb://admin:${PW}@h/my.db`, 'database', /contains '\.'/],
        [`mongodb://admin:${PW}@h/my%24db`, 'database', /contains '\$'/],
        [`mongodb://admin:${PW}@h/db?x=1#frag`, 'syntax', /'#'/],
        [` mongodb://admin:${PW}@h/d b `, 'whitespace', /space/],
      ];
      for (const [input, reason, pattern] of cases) {
        it(`${reason}: ${JSON.stringify(maskConnectionString(input))}`, () => expectError('mongodb', input, reason, pattern));
      }
    });
  });

  describe('parseConnectionString', () => {
    it('trims surrounding whitespace and dispatches on the type', () => {
      assert.equal(parseConnectionString('redis', '  redis://h\n').engine, 'redis');
      assert.equal(parseConnectionString('postgres', 'host=h').engine, 'postgres');
    });

    it('rejects an unknown type without touching Object.prototype', () => {
      assert.throws(() => parseConnectionString('constructor' as EngineType, 'x'), TypeError);
      expectError('redis', 'constructor://h', 'scheme');
    });
  });

  describe('maskConnectionString', () => {
    const cases: Array<[string, string]> = [
      [`postgresql://postgres:${PW}@postgres.railway.internal:5432/postgres?sslmode=require`, 'postgresql://postgres:****@postgres.railway.internal:5432/postgres?sslmode=require'],
      [`postgresql://u:p%40ss%25word@h1:5432,h2:5433/app?password=${PW}&application_name=x`, 'postgresql://u:****@h1:5432,h2:5433/app?password=****&application_name=x'],
      [`redis://default:${PW}@host:6379/0`, 'redis://default:****@host:6379/0'],
      [`rediss://:${PW}@host:6380`, 'rediss://:****@host:6380'],
      [`redis+sentinel://u:${PW}@s1:26379,s2:26379/mymaster?sentinelPassword=${PW}&tls=true`, 'redis+sentinel://u:****@s1:26379,s2:26379/mymaster?sentinelPassword=****&tls=true'],
      [`redis+cluster://u:${PW}@n1:7000,n2:7001`, 'redis+cluster://u:****@n1:7000,n2:7001'],
      [`mongodb://admin:${PW}@h1:27017,h2:27017/ogelbase?authSource=admin`, 'mongodb://admin:****@h1:27017,h2:27017/ogelbase?authSource=admin'],
      [`mongodb+srv://u:p%40%25s@c.example.net/?proxyPassword=${PW}&appName=a`, 'mongodb+srv://u:****@c.example.net/?proxyPassword=****&appName=a'],
      [`mongodb://u@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:${PW}`, 'mongodb://u@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:****'],
      [`host=h port=5432 dbname=app user=me password='${PW} x\\'y' sslmode=require`, 'host=h port=5432 dbname=app user=me password=**** sslmode=require'],
      [`host=h password=${PW}`, 'host=h password=****'],
      [`postgresql://u:${PW}@h/db?application_name=me@home`, 'postgresql://u:****@h/db?application_name=me@home'],
      ['redis://host:6379', 'redis://host:6379'],
      ['redis://:@host', 'redis://:@host'],
      ['postgresql://me@h/db', 'postgresql://me@h/db'],
      ['  ', ''],
      // Unparseable: everything that could be a password under any reading is masked.
      [`postgresql://postgres:S3cr3t/Pa55@h/db`, 'postgresql://postgres:****@h/db'],
      [`postgresql://postgres:S3cr3t@Pa55@h/db`, 'postgresql://postgres:****@h/db'],
      [`postgresql://postgres:${PW}@h/db?sslmode=bad`, 'postgresql://postgres:****@h/db?sslmode=bad'],
      [`mongodb://admin:S3cr3t:Pa55@h/db`, 'mongodb://admin:****@h/db'],
      [`redis://u:S3cr3t Pa55@h`, 'redis://u:****@h'],
      [`mysql://root:${PW}@db:3306/app`, 'mysql://root:****@db:3306/app'],
      [`host=h password='${PW} dbname=x`, 'host=h password=****'],
      [`host=h password=S3cr3t Pa55 dbname=x`, 'host=h password=**** dbname=x'],
      [PW, UNPARSEABLE],
      [`${PW}@host`, UNPARSEABLE],
    ];
    for (const [input, expected] of cases) {
      it(`masks ${expected || '(blank)'}`, () => assert.equal(maskConnectionString(input), expected));
    }

    it('never throws and never returns the password, whatever it is given', () => {
      const inputs = [
        ...cases.map(([input]) => input),
        `postgresql://u:${PW}@h/db?x=a@b`,
        `postgresql://u:1234/${PW}@h/db`,
        `mongodb://u:${encodeURIComponent(PW)}@h/db`,
        `redis://u:${PW}@h?password=${PW}`,
        `postgresql://u:${PW}@h/db\n`,
        `host=h\npassword=${PW}\n`,
        `ht!tp://u:${PW}@h`,
        `x://${PW}@@@`,
      ];
      for (const input of inputs) assertNoSecret(maskConnectionString(input));
      assert.equal(maskConnectionString(null as unknown as string), UNPARSEABLE);
      assert.equal(maskConnectionString(undefined as unknown as string), UNPARSEABLE);
    });
  });

  describe('detectEngine', () => {
    const cases: Array<[string, EngineType | undefined]> = [
      ['postgresql://h/db', 'postgres'],
      ['postgres://h', 'postgres'],
      ['POSTGRES://h', 'postgres'],
      ['host=h dbname=app', 'postgres'],
      ['  dbname = app', 'postgres'],
      ['redis://h', 'redis'],
      ['rediss://h', 'redis'],
      ['redis+sentinel://s/m', 'redis'],
      ['redis-sentinel://s/m', 'redis'],
      ['redis+cluster://n', 'redis'],
      ['rediss+cluster://n', 'redis'],
      ['mongodb://h', 'mongodb'],
      ['mongodb+srv://c.example.net', 'mongodb'],
      ['http://h', undefined],
      ['constructor://h', undefined],
      ['foo=bar', undefined],
      ['', undefined],
      [PW, undefined],
    ];
    for (const [input, engine] of cases) {
      it(`${JSON.stringify(maskConnectionString(input))} -> ${engine}`, () => assert.equal(detectEngine(input), engine));
    }
  });

  describe('describeEndpoint', () => {
    const cases: Array<[EngineType, string, string]> = [
      ['postgres', `postgresql://postgres:${PW}@db.example.com:5432/app`, 'db.example.com:5432/app'],
      ['postgres', 'postgresql://u@[::1]:5433/app', '[::1]:5433/app'],
      ['postgres', 'postgresql://u@h1,h2/app?target_session_attrs=read-write', '2 hosts/app (read-write)'],
      ['postgres', 'postgresql:///app?host=/var/run/postgresql', '/var/run/postgresql/.s.PGSQL.5432/app'],
      ['redis', `redis://default:${PW}@redis.railway.internal:6379`, 'redis.railway.internal:6379'],
      ['redis', 'redis://h:6380/2', 'h:6380/2'],
      ['redis', 'redis+sentinel://s1,s2,s3/mymaster/1', 'mymaster/1 via 3 sentinels'],
      ['redis', 'redis+sentinel://s1/mymaster', 'mymaster via s1:26379'],
      ['redis', 'redis+cluster://n1:7000,n2:7001,n3:7002', 'cluster of 3 seed nodes'],
      ['redis', 'redis+cluster://n1:7000', 'cluster via n1:7000'],
      ['mongodb', `mongodb://admin:${PW}@m1:27017,m2:27017,m3:27017/?replicaSet=rs0`, '3 hosts (replica set rs0)'],
      ['mongodb', `mongodb://admin:${PW}@m1,m2,m3/ogelbase?replicaSet=rs0`, '3 hosts/ogelbase (replica set rs0)'],
      ['mongodb', 'mongodb://mongodb.railway.internal:27017/ogelbase?authSource=admin', 'mongodb.railway.internal:27017/ogelbase'],
      ['mongodb', `mongodb+srv://u:${PW}@cluster0.example.net/app`, 'cluster0.example.net/app (SRV)'],
    ];
    for (const [engine, input, expected] of cases) {
      it(expected, () => {
        const text = describeEndpoint(parseConnectionString(engine, input));
        assert.equal(text, expected);
        assertNoSecret(text);
      });
    }
  });

  describe('isPrivateNetworkHost', () => {
    const cases: Array<[EngineType, string, boolean]> = [
      ['postgres', `postgresql://postgres:${PW}@postgres.railway.internal:5432/postgres`, true],
      ['postgres', `postgresql://postgres:${PW}@roundhouse.proxy.rlwy.net:12345/postgres`, false],
      ['redis', 'redis://redis-production-abc.up.railway.app:6379', false],
      ['redis', 'redis://redis.railway.internal:6379', true],
      ['mongodb', 'mongodb://mongo1.railway.internal:27017,mongo2.railway.internal:27017/db?replicaSet=rs0', true],
      ['mongodb', 'mongodb://mongo1.railway.internal,mongo2.example.com/db', false],
      ['mongodb', 'mongodb+srv://cluster0.example.net/db', false],
      ['redis', 'redis://printer.local', true],
      ['redis', 'redis://nas.home.arpa', true],
      ['postgres', 'postgresql://postgres/app', true],
      ['postgres', 'postgresql://localhost/app', true],
      ['postgres', 'postgresql://127.0.0.1/app', true],
      ['postgres', 'postgresql://[::1]/app', true],
      ['postgres', 'postgresql:///app?host=/var/run/postgresql', true],
      ['redis', 'redis://10.1.2.3', true],
      ['redis', 'redis://172.16.0.1', true],
      ['redis', 'redis://172.31.255.255', true],
      ['redis', 'redis://172.32.0.1', false],
      ['redis', 'redis://192.168.1.10', true],
      ['redis', 'redis://100.100.1.1', true],
      ['redis', 'redis://169.254.1.1', true],
      ['redis', 'redis://8.8.8.8', false],
      ['redis', 'redis://[fd12:3456::1]', true],
      ['redis', 'redis://[fe80::1]', true],
      ['redis', 'redis://[::ffff:10.0.0.1]', true],
      ['redis', 'redis://[2001:db8::1]', false],
      ['redis', 'redis://internal.example.com', false],
    ];
    for (const [engine, input, expected] of cases) {
      it(`${maskConnectionString(input)} -> ${expected}`, () => assert.equal(isPrivateNetworkHost(parseConnectionString(engine, input)), expected));
    }
  });
});
