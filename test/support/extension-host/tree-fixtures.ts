/**
 * Helpers of the tree tests (no tests of its own): data written into the harness's real PostgreSQL,
 * Redis and MongoDB under unique names, and walkers that read a tree the way VS Code does, through
 * `getChildren`/`getTreeItem` only.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import * as vscode from 'vscode';
import type { Explorer } from '../../../src/host/explorer';
import type { ExplorerNode } from '../../../src/host/tree/nodes';
import { createTestDatabase, type TestDatabase } from '../services/postgres';

export type Tree = Explorer['platformTree'] | Explorer['localTree'];
export const unique = () => randomBytes(4).toString('hex');

// ---------------------------------------------------------------------------------------------
// Data

export type PostgresFixture = TestDatabase;

/** A fresh database: public.customers (1,000 rows), public.orders (3,000, a foreign key), a view, a materialized view, sales.regions. */
export async function seedPostgres(): Promise<PostgresFixture> {
  const adminUrl = process.env.OGELBASE_TEST_PG_URL!;
  const created = await createTestDatabase(adminUrl, 'tree');
  const db = new pg.Client({ connectionString: created.url });
  await db.connect();
  await db.query(`
    CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), total numeric(12,2));
    INSERT INTO customers (name, email) SELECT 'c' || i, 'c' || i || '@example.com' FROM generate_series(1, 1000) i;
    INSERT INTO orders (customer_id, total) SELECT 1 + i % 1000, i FROM generate_series(1, 3000) i;
    CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
    CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY 1;
    CREATE SCHEMA sales;
    CREATE TABLE sales.regions (code text PRIMARY KEY, name text);
    ANALYZE;`);
  await db.end();
  return created;
}

export const REDIS_TYPES = ['string', 'hash', 'list', 'set', 'zset', 'stream'] as const;

export interface RedisFixture {
  url: string;
  /** Every key starts with `${prefix}:`. */
  prefix: string;
  /** Keys under `${prefix}:t:` (20 of each type, one binary key). */
  typed: number;
  /** The exact bytes of the binary key. */
  binaryKey: Buffer;
  /** Keys under `${prefix}:bulk:`. */
  bulk: number;
  client: Redis;
  drop(): Promise<void>;
}

/**
 * Under a unique prefix P: `P:t:<type>-NN` (20 keys of each type; string-00 and hash-00 expire),
 * a key whose name is not UTF-8, `P:gone:only`, and `P:bulk:N` (`bulk` keys, written by pipeline).
 */
export async function seedRedis(options: { bulk?: number } = {}): Promise<RedisFixture> {
  const url = process.env.OGELBASE_TEST_REDIS_URL!;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  const prefix = `tree-${unique()}`;
  const bulk = options.bulk ?? 100_000;
  const batch = client.pipeline();
  for (const type of REDIS_TYPES) {
    for (let i = 0; i < 20; i++) {
      const key = `${prefix}:t:${type}-${String(i).padStart(2, '0')}`;
      if (type === 'string') batch.set(key, `value ${i}`);
      if (type === 'hash') batch.hset(key, 'field', `value ${i}`, 'other', 'x');
      if (type === 'list') batch.rpush(key, 'a', 'b', 'c');
      if (type === 'set') batch.sadd(key, 'a', 'b');
      if (type === 'zset') batch.zadd(key, 1, 'a', 2, 'b');
      if (type === 'stream') batch.xadd(key, '*', 'field', `value ${i}`);
    }
  }
  batch.expire(`${prefix}:t:string-00`, 3600);
  batch.expire(`${prefix}:t:hash-00`, 600);
  const binaryKey = Buffer.concat([Buffer.from(`${prefix}:t:bin-`), Buffer.from([0xff, 0xfe, 0x01])]);
  batch.set(binaryKey, 'binary name');
  batch.set(`${prefix}:gone:only`, 'soon deleted');
  await batch.exec();
  for (let start = 0; start < bulk; start += 10_000) {
    const chunk = client.pipeline();
    for (let i = start; i < Math.min(bulk, start + 10_000); i++) chunk.set(`${prefix}:bulk:${i}`, '1');
    await chunk.exec();
  }
  return {
    url,
    prefix,
    typed: REDIS_TYPES.length * 20 + 1,
    binaryKey,
    bulk,
    client,
    drop: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await client.scanBuffer(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
        cursor = next.toString();
        if (keys.length > 0) await client.unlink(...keys);
      } while (cursor !== '0');
      client.disconnect();
    },
  };
}

export interface MongoFixture {
  url: string;
  /** The database holding people (50 documents, 3 indexes), the view adults and the time series weather. */
  db: string;
  drop(): Promise<void>;
}

export async function seedMongo(): Promise<MongoFixture> {
  const url = process.env.OGELBASE_TEST_MONGODB_URL!;
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const name = `tree_${unique()}`;
  const db = client.db(name);
  await db.collection('people').insertMany(Array.from({ length: 50 }, (_, i) => ({ name: `p${i}`, email: `p${i}@example.com`, age: 20 + (i % 30) })));
  await db.collection('people').createIndex({ email: 1 }, { unique: true });
  await db.collection('people').createIndex({ age: 1, name: -1 });
  await db.createCollection('adults', { viewOn: 'people', pipeline: [{ $match: { age: { $gte: 30 } } }] });
  await db.createCollection('weather', { timeseries: { timeField: 'ts', metaField: 'sensor', granularity: 'minutes' } });
  await db.collection('weather').insertOne({ ts: new Date(), sensor: 's1', temp: 21.5 });
  return {
    url,
    db: name,
    drop: async () => {
      await db.dropDatabase();
      await client.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a tree

export interface Row {
  node: ExplorerNode;
  item: vscode.TreeItem;
  label: string;
  description: string;
  context: string;
}

/** The text of a tooltip as shown: Markdown escapes and `&nbsp;` undone, so a leaked value cannot hide behind them. */
export function tooltipText(item: vscode.TreeItem): string {
  const tooltip = item.tooltip;
  if (tooltip === undefined) return '';
  if (typeof tooltip === 'string') return tooltip;
  return tooltip.value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
}

export function toRow(tree: Tree, node: ExplorerNode): Row {
  const item = tree.getTreeItem(node) as vscode.TreeItem;
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  return { node, item, label, description: typeof item.description === 'string' ? item.description : '', context: item.contextValue ?? '' };
}

export async function rows(tree: Tree, node?: ExplorerNode): Promise<Row[]> {
  return (await tree.getChildren(node)).map((child) => toRow(tree, child));
}

/** Rows that are the listed children themselves (not Load more, error or message rows). */
export const listed = (list: Row[]) => list.filter((r) => r.node.kind !== 'loadMore' && r.node.kind !== 'message' && r.node.kind !== 'error');
export const moreRow = (list: Row[]) => list.find((r) => r.node.kind === 'loadMore');

export function find(list: Row[], label: string): Row {
  const row = list.find((r) => r.label === label);
  assert.ok(row, `no row "${label}" among: ${list.map((r) => r.label).join(', ')}`);
  return row;
}

export interface Paged {
  rows: Row[];
  pages: number;
  /** Rows each page added. */
  added: number[];
}

/**
 * Clicks "Load more" until `done(rows)` or until there is no such row, checking that each click
 * adds one bounded page and never a row twice.
 */
export async function loadUntil(tree: Tree, node: ExplorerNode, done: (list: Row[]) => boolean, options: { maxPages?: number; pageSize?: number } = {}): Promise<Paged> {
  const maxPages = options.maxPages ?? 60;
  let list = await rows(tree, node);
  const added = [listed(list).length];
  for (let pages = 1; ; pages++) {
    const ids = listed(list).map((r) => r.node.id);
    assert.equal(new Set(ids).size, ids.length, 'a row is listed twice');
    const more = moreRow(list);
    if (done(list) || !more) return { rows: list, pages, added };
    assert.ok(pages < maxPages, `still not done after ${maxPages} pages`);
    const before = ids.length;
    await tree.loadMore(more.node as Extract<ExplorerNode, { kind: 'loadMore' }>);
    list = await rows(tree, node);
    added.push(listed(list).length - before);
    if (options.pageSize !== undefined) assert.ok(added.at(-1)! <= options.pageSize, `one Load more added ${added.at(-1)} rows, more than a page of ${options.pageSize}`);
  }
}

export const loadAll = (tree: Tree, node: ExplorerNode, options: { maxPages?: number; pageSize?: number } = {}) => loadUntil(tree, node, () => false, options);

/** Every password and token a test knows of, to look for in what the tree shows. */
export function secretsOf(...urls: (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const url of urls) {
    if (!url) continue;
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password) out.push(password);
    } catch {
      out.push(url);
    }
  }
  return out;
}

export function assertNoSecrets(list: Row[], secrets: string[]): void {
  for (const row of list) {
    const shown = [row.label, row.description, tooltipText(row.item)].join('\n');
    for (const secret of secrets) assert.ok(!shown.includes(secret), `row ${row.node.id} shows a secret`);
  }
}

/** Sets a setting globally and waits until the extension host reads it back (its change event has then fired). */
export async function setSetting(key: string, value: unknown): Promise<void> {
  const section = vscode.workspace.getConfiguration('ogelbase');
  await section.update(key, value, vscode.ConfigurationTarget.Global);
  for (let i = 0; i < 100 && vscode.workspace.getConfiguration('ogelbase').inspect(key)?.globalValue !== value; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(vscode.workspace.getConfiguration('ogelbase').inspect(key)?.globalValue, value, `setting ogelbase.${key} did not apply`);
}
