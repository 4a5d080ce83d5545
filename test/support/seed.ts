import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { PlatformClient } from '../../src/core/api/client';
import type { DatabaseInfo } from '../../src/core/api/types';
import type { PlatformService } from './platform';
import { createTestDatabase } from './services/postgres';

export interface SeededDatabases {
  postgres: DatabaseInfo;
  redis: DatabaseInfo;
  mongodb: DatabaseInfo;
  /** Every key written lives under this prefix (`<prefix>:…`); `<prefix>:big:` holds `bigNamespace` keys. */
  redisPrefix: string;
  mongoDatabase: string;
  cleanUp(): Promise<void>;
}

/**
 * A small shop across the three engines, registered in the platform's demo project: a PostgreSQL
 * database with related tables and a view, Redis keys of every type (and optionally a namespace of
 * many keys for paging), a MongoDB database with a collection, an index and a view. Data lives on
 * the harness's servers under unique names and is removed by `cleanUp()`.
 */
export async function seedShop(platform: PlatformService, options: { bigNamespace?: number } = {}): Promise<SeededDatabases> {
  const run = randomBytes(3).toString('hex');
  const pgAdmin = process.env.OGELBASE_TEST_PG_URL!;
  const redisUrl = process.env.OGELBASE_TEST_REDIS_URL!;
  const mongoUrl = process.env.OGELBASE_TEST_MONGODB_URL!;

  const shopDatabase = await createTestDatabase(pgAdmin, 'shop');
  const shop = new pg.Client({ connectionString: shopDatabase.url });
  await shop.connect();
  await shop.query(`
    CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), total numeric(10,2) NOT NULL, status text NOT NULL DEFAULT 'open');
    CREATE INDEX orders_customer ON orders (customer_id);
    CREATE VIEW open_orders AS SELECT * FROM orders WHERE status = 'open';
    INSERT INTO customers (email, name) SELECT 'c' || g || '@example.com', 'Customer ' || g FROM generate_series(1, 50) g;
    INSERT INTO orders (customer_id, total, status) SELECT 1 + g % 50, g * 3.5, CASE WHEN g % 3 = 0 THEN 'shipped' ELSE 'open' END FROM generate_series(1, 500) g;
    ANALYZE;
  `);
  await shop.end();

  const prefix = `shop${run}`;
  const redis = new Redis(redisUrl);
  const batch = redis.pipeline();
  batch.set(`${prefix}:config:theme`, 'dark');
  batch.set(`${prefix}:session:abc`, 'user-1', 'EX', 3600);
  batch.hset(`${prefix}:user:1`, { name: 'Ada', email: 'ada@example.com' });
  batch.rpush(`${prefix}:queue:emails`, 'welcome', 'receipt');
  batch.sadd(`${prefix}:tags`, 'new', 'sale');
  batch.zadd(`${prefix}:leaderboard`, 10, 'ada', 20, 'grace');
  batch.xadd(`${prefix}:events`, '*', 'type', 'signup');
  await batch.exec();
  for (let start = 0; start < (options.bigNamespace ?? 0); start += 10_000) {
    const fill = redis.pipeline();
    for (let i = start; i < Math.min(start + 10_000, options.bigNamespace!); i++) fill.set(`${prefix}:big:${String(i).padStart(6, '0')}`, String(i));
    await fill.exec();
  }
  redis.disconnect();

  const mongoDatabase = `shop_${run}`;
  const mongo = new MongoClient(mongoUrl);
  const db = mongo.db(mongoDatabase);
  await db.collection('products').insertMany(Array.from({ length: 30 }, (_, i) => ({ sku: `P${i}`, name: `Product ${i}`, price: i * 2.5, tags: i % 2 ? ['sale'] : [] })));
  await db.collection('products').createIndex({ sku: 1 }, { unique: true });
  await db.createCollection('cheap_products', { viewOn: 'products', pipeline: [{ $match: { price: { $lt: 20 } } }] });
  await mongo.close();

  const client = new PlatformClient({ url: platform.url, token: platform.token });
  const add = (name: string, type: DatabaseInfo['type'], connectionString: string, description: string) =>
    client.createDatabase({ projectRef: platform.projectRef, name, type, connectionString, description });
  const [postgres, redisInfo, mongodb] = [
    await add('orders-db', 'postgres', shopDatabase.url, 'Orders and customers'),
    await add('cache', 'redis', redisUrl, 'Sessions, queues, leaderboards'),
    await add('catalog', 'mongodb', `${mongoUrl.replace(/\/$/, '')}/${mongoDatabase}`, 'Product catalog'),
  ];

  return {
    postgres,
    redis: redisInfo,
    mongodb,
    redisPrefix: prefix,
    mongoDatabase,
    cleanUp: async () => {
      const r = new Redis(redisUrl);
      for (let cursor = '0'; ; ) {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await r.unlink(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
      r.disconnect();
      const m = new MongoClient(mongoUrl);
      await m.db(mongoDatabase).dropDatabase();
      await m.close();
      await shopDatabase.drop();
    },
  };
}
