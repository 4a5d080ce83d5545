import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
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
  }, 120_000);
});
