import { afterAll, describe, expect, test } from 'bun:test';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../../test/support/services/postgres';
import { registerSecret } from './support/fixture';
import { migrations } from '../src/db/migrations';

const serverDir = join(import.meta.dir, '..');
const bun = process.execPath;
const keyA = 'c4e1a9f27d3b8605e2f9a1c7d3b5e8f04a6c2e9b7d1f3a5c8e0b2d4f6a8c1e3d';
const keyB = '9d2f4b6a8c0e1f3a5b7d9c1e3f5a7b9d0c2e4f6a8b1d3f5e7a9c0b2d4e6f8a1c';
registerSecret(keyA);
registerSecret(keyB);

/** Runs a server command to completion; its stdout is one JSON line. */
async function command(args: string[], env: Record<string, string>) {
  const child = Bun.spawn([bun, 'run', 'src/index.ts', ...args], { cwd: serverDir, env: { ...cleanEnv(), ...env }, stdout: 'pipe', stderr: 'pipe' });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr, json: () => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown> };
}

/** The environment without the harness's service URLs, so each test states what it configures. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|MONGODB_URL|ENCRYPTION_KEY|JWT_SECRET)/.test(k)) env[k] = v;
  return env;
}

/** Starts `bun run src/index.ts` on a free port and waits for its "listening" log line. */
async function startServer(env: Record<string, string>) {
  const child = Bun.spawn([bun, 'run', 'src/index.ts'], { cwd: serverDir, env: { ...cleanEnv(), PORT: '0', HOST: '127.0.0.1', ...env }, stdout: 'pipe', stderr: 'pipe' });
  const lines: string[] = [];
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let port: number | undefined;
  while (port === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited before listening: ${await new Response(child.stderr).text()}`);
    buffered += decoder.decode(value);
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      const entry = JSON.parse(line) as { message: string; port?: number };
      if (entry.message.startsWith('listening')) port = entry.port;
    }
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      lines.push(...decoder.decode(value).split('\n').filter(Boolean));
    }
  })();
  return { url: `http://127.0.0.1:${port}`, child, lines, drained: rest };
}

describe('server commands and the served process', () => {
  const started: { child: { kill(signal?: number | NodeJS.Signals): void } }[] = [];
  afterAll(() => {
    for (const s of started) s.child.kill('SIGKILL');
  });

  test('with no configuration at all: demo seeds, the key is generated owner-only, and the served API works over a socket', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ogelbase-cli-'));
    const demo = await command(['demo'], { DATA_DIR: dataDir, PORT: '3999' });
    expect(demo.code).toBe(0);
    const out = demo.json();
    expect(out).toMatchObject({ organization: 'demo', projectRef: 'demo-project', url: 'http://localhost:3999' });
    const token = out.token as string;
    registerSecret(token);
    expect(token).toStartWith('ogb_');
    expect(demo.stderr).toContain('generated a new encryption key');
    expect(statSync(join(dataDir, 'encryption.key')).mode & 0o777).toBe(0o600);
    const generatedKey = readFileSync(join(dataDir, 'encryption.key'), 'utf8').trim();
    registerSecret(generatedKey);
    expect(demo.stdout + demo.stderr).not.toContain(generatedKey);

    const server = await startServer({ DATA_DIR: dataDir });
    started.push(server);
    const organizations = (await (await fetch(`${server.url}/api/platform/organizations`, { headers: { authorization: `Bearer ${token}` } })).json()) as { slug: string }[];
    expect(organizations.map((o) => o.slug)).toEqual(['demo']);
    const created = await fetch(`${server.url}/api/platform/databases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ projectRef: 'demo-project', name: 'cache', type: 'redis', connectionString: 'redis://default:cli-secret-pw@redis.railway.internal:6379' }),
    });
    expect(created.status).toBe(201);

    // A request in flight when SIGTERM arrives still gets its answer; then the process exits cleanly.
    const inFlight = fetch(`${server.url}/api/platform/health?fresh=1`, { headers: { authorization: `Bearer ${token}` } });
    await Bun.sleep(20);
    server.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await server.child.exited).toBe(0);
    await server.drained;
    expect(server.lines.some((l) => l.includes('"stopped"'))).toBe(true);
    expect(server.lines.join('\n')).not.toContain('cli-secret-pw');

    // Tokens: mint, use, revoke.
    const minted = await command(['token', 'create', '--email', 'demo@ogelbase.dev', '--name', 'ci', '--expires-days', '7'], { DATA_DIR: dataDir });
    expect(minted.code).toBe(0);
    registerSecret(minted.json().token as string);
    const listed = await command(['token', 'list'], { DATA_DIR: dataDir });
    expect(listed.stdout).not.toContain(minted.json().token as string);
    const revoked = await command(['token', 'revoke', minted.json().prefix as string], { DATA_DIR: dataDir });
    expect(revoked.json()).toEqual({ revoked: 1 });
    const bad = await command(['member', 'add', '--org', 'demo', '--email', 'demo@ogelbase.dev', '--role', 'boss'], { DATA_DIR: dataDir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--role must be one of');
  }, 120_000);

  test('rotate-keys re-encrypts every row under the new key, and the old key is then not needed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ogelbase-rotate-'));
    const demo = await command(['demo'], { DATA_DIR: dataDir, ENCRYPTION_KEY: keyA });
    const token = demo.json().token as string;
    registerSecret(token);
    const server = await startServer({ DATA_DIR: dataDir, ENCRYPTION_KEY: keyA });
    started.push(server);
    const created = await fetch(`${server.url}/api/platform/databases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ projectRef: 'demo-project', name: 'pg', type: 'postgres', connectionString: 'postgresql://app:rotate-secret-pw@db.example.com:5432/app' }),
    });
    const id = ((await created.json()) as { id: string }).id;
    server.child.kill('SIGTERM');
    await server.child.exited;

    const withoutPrevious = await command(['rotate-keys'], { DATA_DIR: dataDir, ENCRYPTION_KEY: keyB });
    expect(withoutPrevious.code).toBe(1);
    expect(withoutPrevious.stderr).toContain('ENCRYPTION_KEY_PREVIOUS');
    const rotated = await command(['rotate-keys'], { DATA_DIR: dataDir, ENCRYPTION_KEY: keyB, ENCRYPTION_KEY_PREVIOUS: keyA });
    expect(rotated.code).toBe(0);
    expect(rotated.json()).toMatchObject({ reencrypted: 2, alreadyCurrent: 0 });
    const again = await command(['rotate-keys'], { DATA_DIR: dataDir, ENCRYPTION_KEY: keyB, ENCRYPTION_KEY_PREVIOUS: keyA });
    expect(again.json()).toMatchObject({ reencrypted: 0, alreadyCurrent: 2 });

    const after = await startServer({ DATA_DIR: dataDir, ENCRYPTION_KEY: keyB });
    started.push(after);
    const read = await fetch(`${after.url}/api/platform/databases/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { connectionString: string }).connectionString).toBe('postgresql://app:****@db.example.com:5432/app');
    after.child.kill('SIGTERM');
    await after.child.exited;
  }, 120_000);

  test('backup-platform saves the embedded database with PGlite\'s data-directory dump (through the running server); restore-platform brings it back once the server is stopped', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ogelbase-pbk-'));
    const env = { DATA_DIR: dataDir, ENCRYPTION_KEY: keyA };
    const demo = await command(['demo'], env);
    const token = demo.json().token as string;
    registerSecret(token);
    const server = await startServer(env);
    started.push(server);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${server.url}/api/platform/databases`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ projectRef: 'demo-project', name: 'kept', type: 'postgres', connectionString: 'postgresql://app:pbk-secret-pw@db.example.com:5432/app' }),
    });
    expect(created.status).toBe(201);

    // Taken by the server that holds the folder (the folder is never opened twice).
    const backup = await command(['backup-platform'], env);
    expect(backup.code).toBe(0);
    expect(backup.stderr).toContain('running `backup-platform` through it');
    const out = backup.json() as { dir: string; method: string; holds: string; bytes: number; note: string };
    expect(out.method).toBe('pglite-datadir');
    expect(out.dir.startsWith(join(dataDir, 'backups', 'platform'))).toBe(true);
    expect(out.holds).toMatch(/^\d+ tables, \d+ rows$/);
    expect(out.note).toContain('same ENCRYPTION_KEY');
    const manifest = JSON.parse(readFileSync(join(out.dir, 'manifest.json'), 'utf8')) as { method: string; tool: { name: string }; files: { path: string; sha256: string; bytes: number }[]; contents: { tables: { name: string; rows: number }[] } };
    expect(manifest.tool.name).toBe('PGlite dumpDataDir');
    expect(manifest.files.map((f) => f.path)).toEqual(['pglite-datadir.tar.gz']);
    expect(manifest.contents.tables.find((t) => t.name === 'databases')?.rows).toBe(1);
    expect(readdirSync(join(dataDir, 'backups', 'platform')).filter((n) => n.includes('partial'))).toEqual([]);
    // No secret in the folder's manifest, and the key files are not in the dump's folder.
    expect(readFileSync(join(out.dir, 'manifest.json'), 'utf8')).not.toContain('pbk-secret-pw');
    expect(readdirSync(out.dir).sort()).toEqual(['manifest.json', 'pglite-datadir.tar.gz']);

    // A change after the backup, which the restore must take away.
    const later = await fetch(`${server.url}/api/platform/databases`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ projectRef: 'demo-project', name: 'later', type: 'redis', connectionString: 'redis://default:pbk-later-pw@cache.example.com:6379' }),
    });
    expect(later.status).toBe(201);
    const refused = await command(['restore-platform', out.dir], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('stop the server');
    server.child.kill('SIGTERM');
    expect(await server.child.exited).toBe(0);

    // A damaged copy is refused before anything is replaced.
    const damaged = join(dataDir, 'damaged-copy');
    cpSync(out.dir, damaged, { recursive: true });
    const tarball = readFileSync(join(damaged, 'pglite-datadir.tar.gz'));
    tarball[Math.floor(tarball.length / 2)] ^= 0xff;
    writeFileSync(join(damaged, 'pglite-datadir.tar.gz'), tarball);
    const bad = await command(['restore-platform', damaged], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('the SHA-256 of pglite-datadir.tar.gz does not match its manifest');
    expect(readdirSync(dataDir).some((n) => n.startsWith('.before-restore'))).toBe(false);

    const restored = await command(['restore-platform', out.dir], env);
    expect(restored.code).toBe(0);
    const report = restored.json() as { holds: string; previous: string };
    expect(report.holds).toBe(out.holds);
    expect(existsSync(join(report.previous, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'jwt.secret'))).toBe(true); // the files beside the database stay

    // Served again: the database added after the backup is gone, the one before it is back and its
    // sealed connection string still opens with the same key.
    const again = await startServer(env);
    started.push(again);
    const listed = (await (await fetch(`${again.url}/api/platform/databases?projectRef=demo-project`, { headers })).json()) as { databases: { name: string; id: string }[] };
    expect(listed.databases.map((d) => d.name)).toEqual(['kept']);
    const kept = await fetch(`${again.url}/api/platform/databases/${listed.databases[0]!.id}`, { headers });
    expect(((await kept.json()) as { connectionString: string }).connectionString).toBe('postgresql://app:****@db.example.com:5432/app');
    again.child.kill('SIGTERM');
    await again.child.exited;
  }, 180_000);

  test('with a real DATABASE_URL the server refuses a missing or weak key, and serves with a strong one', async () => {
    const adminUrl = process.env.OGELBASE_TEST_PG_URL;
    if (!adminUrl) return;
    const databaseUrl = (await createTestDatabase(adminUrl, 'cli')).url;

    const missing = await command(['migrate'], { DATABASE_URL: databaseUrl });
    const served = Bun.spawn([bun, 'run', 'src/index.ts'], { cwd: serverDir, env: { ...cleanEnv(), DATABASE_URL: databaseUrl, PORT: '0' }, stdout: 'pipe', stderr: 'pipe' });
    expect(await served.exited).toBe(1);
    expect(await new Response(served.stderr).text()).toContain('ENCRYPTION_KEY is required when DATABASE_URL is set');
    expect(missing.code).toBe(0); // migrations need no key

    const weak = await command(['demo'], { DATABASE_URL: databaseUrl, ENCRYPTION_KEY: 'a'.repeat(64) });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('ENCRYPTION_KEY');
    expect(weak.stderr).not.toContain('a'.repeat(64));

    const demo = await command(['demo'], { DATABASE_URL: databaseUrl, ENCRYPTION_KEY: keyA });
    expect(demo.code).toBe(0);
    const token = demo.json().token as string;
    registerSecret(token);
    const server = await startServer({ DATABASE_URL: databaseUrl, ENCRYPTION_KEY: keyA });
    started.push(server);
    expect(server.lines.join('\n')).toContain('"platformDatabase":"postgres"');
    const projects = await fetch(`${server.url}/api/platform/organizations/demo/projects`, { headers: { authorization: `Bearer ${token}` } });
    expect(projects.status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.child.exited).toBe(0);
    // Applied exactly once: the first `migrate` did it, every later start found nothing to do.
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const { rows } = await check.query('SELECT version FROM platform.schema_migrations ORDER BY version');
    await check.end();
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));

    // The platform's own database on PostgreSQL: backed up with pg_dump (custom format), and a
    // restore-platform says how to restore it instead of touching it.
    const backupDir = mkdtempSync(join(tmpdir(), 'ogelbase-pbk-pg-'));
    const backup = await command(['backup-platform'], { DATABASE_URL: databaseUrl, ENCRYPTION_KEY: keyA, BACKUP_DIR: backupDir });
    expect(backup.code).toBe(0);
    const out = backup.json() as { dir: string; method: string; holds: string };
    expect(out.method).toBe('pg_dump');
    expect(out.holds).toMatch(/^\d+ tables, \d+ rows$/);
    const manifest = JSON.parse(readFileSync(join(out.dir, 'manifest.json'), 'utf8')) as { files: { path: string }[] };
    expect(manifest.files.length).toBe(1);
    expect(readFileSync(join(out.dir, manifest.files[0]!.path)).subarray(0, 5).toString()).toBe('PGDMP');
    expect(JSON.stringify(manifest)).not.toContain(new URL(databaseUrl).password);
    const restore = await command(['restore-platform', out.dir], { DATABASE_URL: databaseUrl, ENCRYPTION_KEY: keyA });
    expect(restore.code).not.toBe(0);
    expect(restore.stderr).toContain('pg_restore --clean --single-transaction');
  }, 120_000);
});
