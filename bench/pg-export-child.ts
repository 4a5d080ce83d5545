/**
 * One export of bench/pg-inspector.ts, in a process of its own so that its peak RSS is its own:
 *   node --import tsx bench/pg-export-child.ts direct|platform|naive <json args>
 * `direct`: the engine's exportRows into a file (the extension host's direct path); `platform`:
 * PlatformClient.operationStream into a file (the extension host's path through the platform);
 * `naive`: one query for every row, then the CSV written (what "render everything first" costs).
 * Prints one JSON line: {ms, rows, bytes, peak_rss_mb}.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import pg from 'pg';
import { PlatformClient } from '../src/core/api/client';
import { PostgresEngine } from '../src/core/engines/postgres';
import { csvField, exportRows } from '../src/core/engines/postgres/export';

const [mode, raw] = process.argv.slice(2);
const args = JSON.parse(raw ?? '{}') as { url?: string; platformUrl?: string; token?: string; databaseId?: string; file: string };

function writer(file: string) {
  const out = createWriteStream(file);
  return {
    write: (chunk: string | Uint8Array) => new Promise<void>((resolve, reject) => (out.write(chunk, (e) => e && reject(e)) ? resolve() : out.once('drain', resolve))),
    end: () => new Promise<void>((resolve) => out.end(resolve)),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const file = writer(args.file);
  let rows = 0;
  if (mode === 'direct') {
    const engine = new PostgresEngine(args.url!, { max: 2 });
    rows = (await exportRows(engine, { schema: 'public', name: 'ledger', format: 'csv' }, file.write)).rows;
    await engine.close();
  } else if (mode === 'platform') {
    const client = new PlatformClient({ url: args.platformUrl!, token: args.token! });
    await client.operationStream('postgres', args.databaseId!, 'exportRows', { schema: 'public', name: 'ledger', format: 'csv' }, file.write);
  } else {
    const client = new pg.Client(args.url);
    await client.connect();
    const result = await client.query({ text: 'SELECT * FROM ledger', rowMode: 'array', types: { getTypeParser: () => (v: string) => v } as never });
    await file.write(`${result.fields.map((f) => csvField(f.name)).join(',')}\r\n`);
    for (const row of result.rows as (string | null)[][]) await file.write(`${row.map(csvField).join(',')}\r\n`);
    rows = result.rows.length;
    await client.end();
  }
  await file.end();
  const bytes = (await stat(args.file)).size;
  console.log(JSON.stringify({ ms: Math.round(performance.now() - started), rows, bytes, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
