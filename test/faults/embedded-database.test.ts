/**
 * Finding 3 of issue 9: the README's quick start, run literally, corrupted the embedded database
 * (a server and `demo` opened one PGlite folder from two processes). The server now owns DATA_DIR:
 * commands go through it, a second server is refused, a crash leaves no lock that blocks the next
 * start, and the data survives all of it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordFault } from '../support/faults/record';
import { call, repoRoot, runServerCommand, startServerProcess, type ServerProcess } from '../support/faults/server-process';
import { registerSecret } from '../support/secrets';

/** The README's commands, from the repository root. */
const npmServe = ['npm', 'run', 'server'];
const npmCommand = (...args: string[]) => runServerCommand(args, env, ['npm', 'run', '--silent', 'server', '--'], repoRoot);
const env: Record<string, string> = {};

const lockHolder = (dir: string) => JSON.parse(readFileSync(join(dir, 'ogelbase.lock'), 'utf8')) as { pid: number; role: string };

describe('faults: the embedded database has one owner (the README sequence, literally)', function () {
  this.timeout(300_000);
  let dataDir: string;
  let server: ServerProcess | undefined;
  let token: string;
  /** The pid in the lock: the Bun process under npm's. */
  let owner: number;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ogelbase-embedded-'));
    env.DATA_DIR = dataDir;
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('`npm run server`, then `npm run server -- demo` from a second process: the token works against the running server', async () => {
    server = await startServerProcess('readme-server', { DATA_DIR: dataDir }, npmServe, repoRoot);
    env.PORT = String(server.port);
    const demo = await npmCommand('demo');
    assert.equal(demo.code, 0, demo.stderr);
    assert.equal(demo.stdout.trim().split('\n').length, 1, 'one JSON line, for `| jq -r .token`');
    const printed = demo.json();
    token = String(printed.token);
    registerSecret(token);
    assert.equal(printed.url, `http://localhost:${server.port}`);
    const organizations = await call<{ slug: string }[]>(server.url, '/api/platform/organizations', { token });
    assert.equal(organizations.status, 200, JSON.stringify(organizations.body));
    assert.deepEqual(organizations.body.map((o) => o.slug), ['demo']);
    assert.match(demo.stderr, /running `demo` through it/);
    owner = lockHolder(dataDir).pid;
    assert.equal(lockHolder(dataDir).role, 'server');
    assert.equal(lockHolder(dataDir).pid, owner, 'the server still holds the folder');

    // The README's own form (npm's banner on stdout, the JSON line last) works too, and again.
    const again = await runServerCommand(['demo'], env, ['npm', 'run', 'server', '--'], repoRoot);
    assert.equal(again.code, 0, again.stderr);
    registerSecret(String(again.json().token));
    assert.equal((await call(server.url, '/api/platform/organizations/demo/projects', { token: String(again.json().token) })).status, 200);
    recordFault({
      finding: '3',
      scenario: 'README quick start: `npm run server`, then `npm run server -- demo` in a second process, then the token against the server',
      outcome: `demo ran through the server (admin channel); GET /api/platform/organizations with the printed token answered ${organizations.status}`,
    });
  });

  it('every other command goes through the server too; rotate-keys and migrate are refused at once, saying how', async () => {
    const email = 'reader@readme.test';
    assert.equal((await npmCommand('user', 'create', '--email', email)).code, 0);
    assert.equal((await npmCommand('member', 'add', '--org', 'demo', '--email', email, '--role', 'read_only')).code, 0);
    const minted = await npmCommand('token', 'create', '--email', email, '--name', 'ci');
    assert.equal(minted.code, 0, minted.stderr);
    const second = String(minted.json().token);
    registerSecret(second);
    const asReader = await call<{ role: string }[]>(server!.url, '/api/platform/organizations', { token: second });
    assert.equal(asReader.body[0]!.role, 'read_only');
    const listed = await npmCommand('token', 'list');
    assert.ok(!listed.stdout.includes(second), 'token list never prints a token');
    assert.equal((await npmCommand('token', 'revoke', String(minted.json().prefix))).code, 0);
    assert.equal((await call(server!.url, '/api/platform/organizations', { token: second })).status, 401);
    const jwt = await npmCommand('jwt', '--email', 'demo@ogelbase.dev');
    registerSecret(String(jwt.json().token));
    assert.equal((await call(server!.url, '/api/platform/profile', { token: String(jwt.json().token) })).status, 200);

    const rotate = await npmCommand('rotate-keys');
    assert.notEqual(rotate.code, 0);
    assert.match(rotate.stderr, /a server \(pid \d+\) is running on the embedded database.*stop the server/);
    const migrate = await npmCommand('migrate');
    assert.notEqual(migrate.code, 0);
    assert.match(migrate.stderr, /stop it and start it again/);
    const usage = await npmCommand('member', 'add', '--org', 'demo');
    assert.equal(usage.code, 2, 'a usage error is reported before anything is contacted');
    assert.equal(lockHolder(dataDir).pid, owner);
    assert.equal(server!.log().match(/"administration command"/g)?.length, 8, 'each command was carried out by the server');
  });

  it('a second server on the same DATA_DIR is refused at once, naming the one that holds it', async () => {
    const second = await runServerCommand([], { ...env, PORT: '0', HOST: '127.0.0.1' }, ['npm', 'run', '--silent', 'server'], repoRoot);
    assert.notEqual(second.code, 0);
    assert.match(second.stderr + second.stdout, new RegExp(`in use by a running server \\(pid ${owner}\\)`));
    assert.ok(server!.alive());
    recordFault({ finding: '3', scenario: 'a second `npm run server` on the same DATA_DIR', outcome: 'refused at once (exit 1) naming the pid that holds the folder; the first server unaffected' });
  });

  it('a crash (kill -9) leaves a lock that does not block the next start, and the data is intact', async () => {
    // The server process itself (npm's child's child) dies; npm then exits with it.
    process.kill(owner, 'SIGKILL');
    await server!.exited;
    assert.ok(existsSync(join(dataDir, 'ogelbase.lock')), 'the dead server’s lock is still there');
    server = await startServerProcess('readme-server-after-crash', { DATA_DIR: dataDir }, npmServe, repoRoot);
    assert.match(server.log(), /took over the lock of .* left by process \d+, which is no longer running/);
    const organizations = await call<{ slug: string }[]>(server.url, '/api/platform/organizations', { token });
    assert.equal(organizations.status, 200);
    env.PORT = String(server.port);
    const demo = await npmCommand('demo');
    assert.equal(demo.code, 0, demo.stderr);
    registerSecret(String(demo.json().token));

    // Stopped properly, the folder is free and nothing is left behind; the commands then open it themselves.
    await server.stop();
    server = undefined;
    assert.ok(!existsSync(join(dataDir, 'ogelbase.lock')));
    assert.ok(!existsSync(join(dataDir, 'admin.sock')));
    const offline = await npmCommand('demo');
    assert.equal(offline.code, 0, offline.stderr);
    registerSecret(String(offline.json().token));
    assert.doesNotMatch(offline.stderr, /through it/);
    recordFault({
      finding: '3',
      scenario: 'the server killed with SIGKILL, then started again',
      outcome: 'the stale lock was taken over at start (logged); the earlier token still valid; demo through the new server and then offline both succeeded (no duplicate key, no unknown token)',
    });
  });
});
