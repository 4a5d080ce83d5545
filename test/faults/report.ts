/**
 * Writes docs/reliability.md from what the `faults` layer just recorded (test-results/faults/:
 * one JSON line per fault, soak.json) and the layer's test counts. Run by the harness after the
 * layer's tests: `node --import tsx test/faults/report.ts <results folder>`. It refuses to write a
 * document that contains a secret the run registered.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { FaultRecord } from '../support/faults/record';
import type { SoakSample } from '../support/faults/soak-sampling';

const root = resolve(__dirname, '..', '..');
const results = resolve(process.argv[2] ?? join(root, 'test-results'));
const faults = join(results, 'faults');

interface Soak {
  seconds: number;
  users: number;
  requests: number;
  perSecond: number;
  statuses: Record<string, number>;
  latencyMs: Record<string, { n: number; p50: number; p95: number; max: number }>;
  samples: SoakSample[];
  idle: { afterS: number; sample: SoakSample };
  memory: { rssMiddleMiB: number; rssLastMiB: number; heapMiddleMiB: number; heapLastMiB: number; troughs: { atS: number; heapMiB: number }[] };
  circuits: { name: string; state: string }[];
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ms = (value: number | undefined) => (value === undefined ? '' : value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(1)} s`);
const sh = (command: string, args: string[]) => {
  try {
    return execFileSync(command, args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

const records: FaultRecord[] = existsSync(join(faults, 'results.jsonl'))
  ? readFileSync(join(faults, 'results.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as FaultRecord)
  : [];
const soak: Soak | undefined = existsSync(join(faults, 'soak.json')) ? (JSON.parse(readFileSync(join(faults, 'soak.json'), 'utf8')) as Soak) : undefined;
const counts = existsSync(join(results, 'faults--faults.summary.json'))
  ? (JSON.parse(readFileSync(join(results, 'faults--faults.summary.json'), 'utf8')) as { passed: number; failed: number; skipped: number })
  : undefined;
if (records.length === 0 || !soak) {
  console.error(`nothing to report: ${records.length} fault records, soak ${soak ? 'present' : 'missing'} in ${faults}`);
  process.exit(1);
}

const findingTitle: Record<string, string> = {
  '1': '1 · process dies when a pooled connection drops mid-transaction',
  '2': '2 · an outage answered 500; health needed the database',
  '3': '3 · the README sequence corrupted the embedded database',
  '4': '4 · TLS to a plain server and unresolvable replica sets took 9 s to say "timeout"',
  TLS: 'TLS toward the databases',
  engines: 'managed databases under faults',
  'two servers': 'two server processes, one platform database',
};

const lines: string[] = [];
const say = (...text: string[]) => lines.push(...text);
say(
  '# Reliability: faults and soak',
  '',
  '<!-- Written by `npm test` (the `faults` layer: test/faults/, then test/faults/report.ts). Do not edit by hand: the next run replaces it. -->',
  '',
  `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit \`${sh('git', ['rev-parse', '--short', 'HEAD'])}\`, ` +
    `${cpus().length} CPU (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Bun ${sh(join(root, 'node_modules', '.bin', 'bun'), ['--version'])}` +
    (counts ? `; the layer's tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped.` : '.'),
  '',
  'Every fault below is caused for real against real processes: the platform server runs as its own',
  'process (`bun run src/index.ts`, or the README\'s `npm run server`), PostgreSQL 15 and Redis 7 are',
  'real servers the test starts and stops, MongoDB is the wire-protocol test server (a real one when',
  '`MONGODB_URL` is set), and a loopback TCP proxy breaks lines on purpose (resets them, swallows every',
  'byte, or cuts a connection when the client sends a MongoDB `getMore`). Times are measured, never',
  'asserted: they show how long a request took to end, and how long the service took to come back',
  'after the cause was removed, on this machine while other work ran on it.',
  '',
  'The platform PostgreSQL of the restart and kill -9 tests runs with `synchronous_commit = on`, as a production platform',
  'database must. With it off (the suite\'s other test servers), a kill -9 lost rows whose `201` had already been sent:',
  'PostgreSQL acknowledges an asynchronous commit before its WAL is written, a trade-off no client can undo.',
  '',
  '## Faults',
  '',
  '| finding | fault | what the caller saw | ended within | recovered within |',
  '| --- | --- | --- | --- | --- |',
);
for (const r of records) say(`| ${cell(findingTitle[r.finding] ?? r.finding)} | ${cell(r.scenario)} | ${cell(r.outcome)} | ${ms(r.endedWithinMs)} | ${ms(r.recoveredWithinMs)} |`);

const loaded = soak.samples.filter((s) => s.atS <= soak.seconds);
const max = (pick: (s: SoakSample) => number) => Math.max(...loaded.map(pick));
say(
  '',
  '## Soak',
  '',
  `${soak.users} clients for ${soak.seconds} s against one server process (platform database on PostgreSQL, one PostgreSQL, one Redis and one MongoDB database registered),`,
  'each client looping over a weighted mix with 10-30 ms between calls: the platform routes, PostgreSQL keyset pages, counts and a',
  'GROUP BY, Redis SCAN pages and hashes, MongoDB pages, counts and `$sample`, and every so often a database added, browsed once and',
  `removed (a pool and a breaker that come and go). ${soak.requests.toLocaleString('en')} requests (${soak.perSecond}/s): ` +
    Object.entries(soak.statuses).map(([status, n]) => `${n.toLocaleString('en')} × ${status}`).join(', ') + '.',
  '',
  'Sampled every 5 s from `/api/platform/metrics` (the server\'s own figures) and from the database servers themselves',
  '(`pg_stat_activity` by application name, Redis `CLIENT LIST`, MongoDB `serverStatus`); the last rows are the idle period after the load,',
  'until every engine pool had closed (POOL_IDLE_TIMEOUT = 10 s in this run).',
  '',
  '| t (s) | RSS MiB | heap MiB | platform pool | PostgreSQL pool | Redis conns | MongoDB pool | waiting | pg_stat_activity platform / engine | Redis clients | MongoDB conns / open cursors | breakers | event-loop lag ms (max) | requests |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
);
for (const s of soak.samples) {
  say(
    `| ${s.atS} | ${s.rssMiB} | ${s.heapMiB} | ${s.pools.platform} | ${s.pools.postgres} | ${s.pools.redis} | ${s.pools.mongodb} | ${s.waiting} | ` +
      `${s.serverSide.platformPg} / ${s.serverSide.enginePg} | ${s.serverSide.redis} | ${s.serverSide.mongo} / ${s.serverSide.mongoCursors} | ${s.breakers} | ${s.lagMs} (${s.maxLagMs}) | ${s.requests.toLocaleString('en')} |`,
  );
}
const idle = soak.idle.sample;
say(
  '',
  'What the suite checks of these figures (the soak test fails otherwise):',
  '',
  `- no request failed (no 5xx, no unexpected 4xx) and the process stayed up;`,
  `- pools stayed within their caps: at most ${max((s) => s.pools.platform!)} platform connections (cap 20), ${max((s) => s.pools.postgres!)} per PostgreSQL database (cap 5), ${max((s) => s.pools.mongodb!)} MongoDB (cap 10); the database servers saw the same (${max((s) => s.serverSide.platformPg)} / ${max((s) => s.serverSide.enginePg)} in pg_stat_activity);`,
  `- ${soak.idle.afterS} s after the load every engine pool was closed, on both sides: ${idle.pools.postgres} PostgreSQL, ${idle.pools.redis} Redis, ${idle.pools.mongodb} MongoDB connections in the server; ${idle.serverSide.enginePg} in pg_stat_activity, ${idle.serverSide.redis} Redis clients; ${idle.serverSide.mongoCursors} MongoDB cursors open;`,
  `- one breaker per registered database at the end (${soak.circuits.map((c) => `${c.name} ${c.state}`).join(', ')}): the breakers of the databases added and removed during the run were forgotten;`,
  `- memory did not climb: RSS median ${soak.memory.rssMiddleMiB} MiB in the middle third of the run, ${soak.memory.rssLastMiB} MiB in the last third; heap ${soak.memory.heapMiddleMiB} → ${soak.memory.heapLastMiB} MiB;` +
    (soak.memory.troughs.length > 0
      ? ` right after each major collection the heap held ${soak.memory.troughs.map((t) => `${t.heapMiB} MiB (${t.atS} s)`).join(', ')}: what is still referenced does not grow with the requests served.`
      : ' no major collection happened during the run.'),
  '',
  '"waiting" counts callers waiting for a connection at the moment of the sample; the 1 in most rows is the sampling request\'s own',
  'token bookkeeping, queued behind its authentication. The MongoDB connections that remain when idle belong to the health check\'s client (MONGODB_URL).',
  '',
  'Event-loop lag is reported, not asserted: on a shared 2-core machine it mostly measures the neighbours.',
  '',
  '| operation | calls | p50 ms | p95 ms | max ms |',
  '| --- | ---: | ---: | ---: | ---: |',
);
for (const [name, l] of Object.entries(soak.latencyMs).sort((a, b) => b[1].n - a[1].n)) say(`| ${name} | ${l.n} | ${l.p50} | ${l.p95} | ${l.max} |`);
say('');

const text = lines.join('\n');
const secretsFile = process.env.OGELBASE_SECRETS_FILE;
const secrets = secretsFile && existsSync(secretsFile) ? readFileSync(secretsFile, 'utf8').split('\n').filter((s) => s.length >= 6) : [];
const leaked = secrets.filter((s) => text.includes(s));
if (leaked.length > 0) {
  console.error(`refusing to write docs/reliability.md: it would contain ${leaked.length} secret(s) of this run`);
  process.exit(1);
}
writeFileSync(join(root, 'docs', 'reliability.md'), text);
console.log(`wrote docs/reliability.md: ${records.length} faults, ${soak.samples.length} soak samples`);
