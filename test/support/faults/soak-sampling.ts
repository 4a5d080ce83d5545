import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pg from 'pg';

/** One sample of the soak: what the server says of itself and what the database servers see. */
export interface SoakSample {
  atS: number;
  rssMiB: number;
  heapMiB: number;
  /** Open connections per pool as the server counts them (active + idle), and callers waiting. */
  pools: Record<string, number>;
  waiting: number;
  /** What the database servers see: pg_stat_activity rows, Redis CLIENT LIST entries, MongoDB connections. */
  serverSide: { platformPg: number; enginePg: number; redis: number; mongo: number; mongoCursors: number };
  breakers: number;
  lagMs: number;
  maxLagMs: number;
  requests: number;
}

/** Connections as the database servers count them, and MongoDB's open cursors. */
export async function serverSide(): Promise<SoakSample['serverSide']> {
  const client = new pg.Client({ connectionString: process.env.OGELBASE_TEST_PG_URL! });
  await client.connect();
  const { rows } = await client.query<{ app: string; n: string }>("SELECT application_name AS app, count(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'ogelbase-%' GROUP BY 1");
  await client.end();
  const pgCount = (app: string) => Number(rows.find((r) => r.app === app)?.n ?? 0);
  const redis = new Redis(process.env.OGELBASE_TEST_REDIS_URL!);
  const list = String(await redis.call('CLIENT', 'LIST'));
  redis.disconnect();
  const mongo = new MongoClient(process.env.OGELBASE_TEST_MONGODB_URL!);
  const status = await mongo.db('admin').command({ serverStatus: 1 });
  await mongo.close();
  return {
    platformPg: pgCount('ogelbase-platform'),
    enginePg: pgCount('ogelbase-explorer'),
    redis: list.split('\n').filter((line) => / name=ogelbase-explorer /.test(line)).length,
    // Minus the sampler's own connection.
    mongo: Math.max(0, Number(status.connections?.current ?? 0) - 1),
    mongoCursors: Number(status.metrics?.cursor?.open?.total ?? 0),
  };
}
