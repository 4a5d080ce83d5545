/**
 * The sample data `npm start` puts in its demo databases, written so that a second run changes
 * nothing a user made (tables are filled only when empty, Redis keys are set again, the stream and
 * its consumer group only made once), and the registration of those databases in the demo project.
 */
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { type PlatformClient } from '../../src/core/api/client';
import type { DatabaseInfo, EngineType } from '../../src/core/api/types';

/** Creates the `shop` database when the URL names it and it does not exist yet (a real server; PGlite has one database). */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (name === 'postgres') return;
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

/** A small shop: customers, orders, products, a view; 50 customers and 500 orders the first time. */
export async function seedPostgres(url: string): Promise<string> {
  await ensureDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE IF NOT EXISTS products (sku text PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL, tags text[] NOT NULL DEFAULT '{}', details jsonb);
      CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), total numeric(10,2) NOT NULL, status text NOT NULL DEFAULT 'open', placed_at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX IF NOT EXISTS orders_customer ON orders (customer_id);
      CREATE OR REPLACE VIEW open_orders AS SELECT * FROM orders WHERE status = 'open';
    `);
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM customers');
    if (Number(rows[0]!.n) > 0) return 'kept (already there)';
    await client.query(`
      INSERT INTO customers (email, name) SELECT 'customer' || g || '@example.com', 'Customer ' || g FROM generate_series(1, 50) g;
      INSERT INTO products (sku, name, price, tags, details) SELECT 'P' || lpad(g::text, 3, '0'), 'Product ' || g, g * 2.5, CASE WHEN g % 2 = 0 THEN ARRAY['sale'] ELSE ARRAY[]::text[] END, jsonb_build_object('weight', g * 10, 'colour', (ARRAY['red','green','blue'])[1 + g % 3]) FROM generate_series(1, 30) g;
      INSERT INTO orders (customer_id, total, status) SELECT 1 + g % 50, g * 3.5, CASE WHEN g % 3 = 0 THEN 'shipped' ELSE 'open' END FROM generate_series(1, 500) g;
      ANALYZE;
    `);
    return 'customers 50, products 30, orders 500, view open_orders';
  } finally {
    await client.end();
  }
}

/** Keys of every type under namespaces (`shop:…`), some with TTLs, and a stream with a consumer group. */
export async function seedRedis(url: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    const batch = redis.multi();
    batch.set('shop:config:theme', 'dark');
    batch.set('shop:config:currency', 'EUR');
    for (let i = 1; i <= 5; i++) batch.set(`shop:session:${i.toString(36).padStart(8, 'a')}`, JSON.stringify({ userId: i, cart: i * 2 }), 'EX', 24 * 3600);
    for (let i = 1; i <= 20; i++) batch.hset(`shop:user:${i}`, { name: `Customer ${i}`, email: `customer${i}@example.com`, visits: String(i * 3) });
    batch.del('shop:queue:emails');
    batch.rpush('shop:queue:emails', 'welcome:1', 'receipt:2', 'reminder:3');
    batch.sadd('shop:tags', 'new', 'sale', 'gift');
    batch.zadd('shop:leaderboard', 120, 'customer1', 95, 'customer2', 80, 'customer3', 42, 'customer4');
    batch.set('shop:cache:homepage', '<html>…</html>', 'EX', 3600);
    batch.set('hits', '1');
    await batch.exec();
    if ((await redis.exists('shop:events')) === 0) {
      for (const type of ['signup', 'order', 'order', 'refund']) await redis.xadd('shop:events', '*', 'type', type, 'at', new Date().toISOString());
    }
    await redis.xgroup('CREATE', 'shop:events', 'mailers', '0', 'MKSTREAM').catch((error: Error) => {
      if (!/BUSYGROUP/.test(error.message)) throw error;
    });
    return `${await redis.dbsize()} keys (strings, hashes, a list, a set, a sorted set, a stream with a consumer group; sessions expire in 24 h)`;
  } finally {
    redis.disconnect();
  }
}

/** A `catalog` database with products and a view, when MONGODB_URL is given; filled only when empty. */
export async function seedMongo(url: string): Promise<{ url: string; summary: string }> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  try {
    const db = client.db('ogelbase_demo');
    const products = db.collection('products');
    if ((await products.estimatedDocumentCount()) === 0) {
      await products.insertMany(Array.from({ length: 30 }, (_, i) => ({ sku: `P${String(i + 1).padStart(3, '0')}`, name: `Product ${i + 1}`, price: (i + 1) * 2.5, tags: i % 2 ? ['sale'] : [], stock: { warehouse: 'north', count: i * 4 } })));
      await products.createIndex({ sku: 1 }, { unique: true });
      await db.createCollection('cheap_products', { viewOn: 'products', pipeline: [{ $match: { price: { $lt: 20 } } }] }).catch(() => undefined);
    }
    const target = new URL(url);
    target.pathname = '/ogelbase_demo';
    return { url: target.toString(), summary: `${await products.estimatedDocumentCount()} products in ogelbase_demo` };
  } finally {
    await client.close();
  }
}

export interface DemoDatabase {
  name: string;
  type: EngineType;
  connectionString: string;
  description: string;
}

/** Registers each demo database in the project, or points the one of that name at the current URL (ports may change). */
export async function registerDatabases(client: PlatformClient, projectRef: string, wanted: DemoDatabase[]): Promise<DatabaseInfo[]> {
  const { databases } = await client.databases(projectRef, { limit: 100, offset: 0 });
  const result: DatabaseInfo[] = [];
  for (const database of wanted) {
    const existing = databases.find((d) => d.name === database.name);
    result.push(existing ? await client.updateDatabase(existing.id, { connectionString: database.connectionString, description: database.description }) : await client.createDatabase({ projectRef, ...database }));
  }
  return result;
}
