/**
 * Shared set-up of the MongoDB engine tests (this file holds no tests; it carries the .test.ts suffix
 * only because the engine tests own the `test/engines/mongodb*.test.ts` names).
 *
 * The server is OGELBASE_TEST_MONGODB_URL (set by the harness: the wire-protocol test server, or a
 * real MongoDB when MONGODB_URL is set, then OGELBASE_TEST_MONGODB_REAL=1). Run by hand without it,
 * the fixture starts the wire test server itself, in a child process: a server in this process
 * would block the tests' event loop while it scans, and cancellation could not be tested.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { CommandStartedEvent, CommandSucceededEvent, Db, MongoClient } from 'mongodb';
import { createMongoClient, MongoEngine } from '../../../src/core/engines/mongodb';
import { defaultEngineSettings } from '../../../src/core/engines/settings';

export interface MongoFixture {
  url: string;
  /** A real MongoDB (MONGODB_URL), not the wire test server. */
  real: boolean;
  client: MongoClient;
  engine: MongoEngine;
  readOnly: MongoEngine;
  dbName: string;
  db: Db;
  started: CommandStartedEvent[];
  succeeded: CommandSucceededEvent[];
  close(): Promise<void>;
}

let ownServer: Promise<string> | undefined;

function startOwnWireServer(): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mongo-wire/main.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  // Stopped by its PID (its own process group) when the test process ends.
  process.once('exit', () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the wire test server exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = JSON.parse(line) as { url?: string };
      if (!ready.url) return;
      child.stdout!.destroy();
      child.unref();
      resolve(ready.url);
    });
  });
}

export async function openMongoFixture(label: string): Promise<MongoFixture> {
  const url = process.env.OGELBASE_TEST_MONGODB_URL ?? (await (ownServer ??= startOwnWireServer()));
  const client = createMongoClient(url, defaultEngineSettings, { monitorCommands: true, serverSelectionTimeoutMS: 10_000 });
  const started: CommandStartedEvent[] = [];
  const succeeded: CommandSucceededEvent[] = [];
  client.on('commandStarted', (e) => started.push(e));
  client.on('commandSucceeded', (e) => succeeded.push(e));
  await client.connect();
  const dbName = `ogelbase_${label}_${randomBytes(4).toString('hex')}`;
  const db = client.db(dbName);
  return {
    url,
    real: process.env.OGELBASE_TEST_MONGODB_REAL === '1',
    client,
    engine: new MongoEngine(client),
    readOnly: new MongoEngine(client, { readOnly: true }),
    dbName,
    db,
    started,
    succeeded,
    close: async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}


export { rejectsWith } from './assertions';
