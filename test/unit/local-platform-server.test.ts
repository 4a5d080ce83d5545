/**
 * The pieces of "Start Local Platform" that need no VS Code: PGlite fetched from a (loopback) npm
 * registry and checked against the recorded sha512, and the bundled server (dist/server/index.js,
 * copied away from node_modules as in a .vsix) run on Node with that PGlite, then `demo` through it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { c as createTar } from 'tar';
import { ensurePglite, PgliteDownloadError, readManifest, verifiedCopy, type PgliteManifest } from '../../src/host/local-platform/pglite-download';
import { chooseRuntime, runAdminCommand, startServer } from '../../src/host/local-platform/server-process';
import { freePort } from '../support/services/ports';

const root = resolve(__dirname, '..', '..');

describe('Start Local Platform without VS Code: PGlite download and the bundled server on Node', function () {
  this.timeout(240_000);
  let dir: string;
  let registry: Server;
  let registryUrl: string;
  let tarball: Buffer;
  let requests = 0;
  let manifest: PgliteManifest;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ogelbase-local-platform-'));
    // The installed PGlite, packed as the registry packs it (`package/…`).
    const installed = join(root, 'node_modules', '@electric-sql', 'pglite');
    const version = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string }).version;
    const file = join(dir, 'pglite.tgz');
    await createTar({ gzip: true, file, cwd: installed, prefix: 'package' }, readdirSync(installed));
    tarball = readFileSync(file);
    manifest = { name: '@electric-sql/pglite', version, integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}` };
    registry = createServer((request, response) => {
      requests++;
      if (request.url === `/@electric-sql/pglite/-/pglite-${version}.tgz`) response.writeHead(200, { 'content-length': tarball.length }).end(tarball);
      else response.writeHead(404).end();
    });
    await new Promise<void>((ok) => registry.listen(0, '127.0.0.1', ok));
    registryUrl = `http://127.0.0.1:${(registry.address() as { port: number }).port}`;
  });
  after(() => {
    registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the build records the exact PGlite of package-lock.json with its sha512', () => {
    const recorded = readManifest(join(root, 'dist', 'server', 'pglite.json'));
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; integrity: string }> };
    assert.equal(recorded.version, lock.packages['node_modules/@electric-sql/pglite']!.version);
    assert.equal(recorded.integrity, lock.packages['node_modules/@electric-sql/pglite']!.integrity);
  });

  it('refuses bytes that do not match the recorded integrity, and keeps nothing of them', async () => {
    const wrong = { ...manifest, integrity: `sha512-${createHash('sha512').update('other bytes').digest('base64')}` };
    await assert.rejects(ensurePglite({ manifest: wrong, storageDir: join(dir, 'storage'), registry: registryUrl }), (error: Error) => error instanceof PgliteDownloadError && /does not match the integrity/.test(error.message));
    assert.equal(verifiedCopy(join(dir, 'storage'), wrong), undefined);
  });

  it('says what to do when the registry cannot be reached', async () => {
    const port = await freePort();
    await assert.rejects(ensurePglite({ manifest, storageDir: join(dir, 'storage'), registry: `http://127.0.0.1:${port}` }), /could not download PGlite .*ECONNREFUSED.*ogelbase\.localPlatform\.registry/);
  });

  it('downloads, verifies and unpacks once; the next start uses the copy without the network', async () => {
    const reports: string[] = [];
    const first = await ensurePglite({ manifest, storageDir: join(dir, 'storage'), registry: registryUrl, report: (m) => reports.push(m) });
    assert.ok(existsSync(join(first, 'dist', 'index.js')));
    assert.ok(reports.some((m) => m.startsWith('downloading PGlite')));
    const before = requests;
    assert.equal(await ensurePglite({ manifest, storageDir: join(dir, 'storage'), registry: 'http://127.0.0.1:9' }), first);
    assert.equal(requests, before, 'no second download');
  });

  it('runs the bundled server on Node with the downloaded PGlite, answers demo through it, and stops', async () => {
    // As in a .vsix: the bundle alone, no node_modules beside or above it.
    const extension = join(dir, 'extension');
    mkdirSync(join(extension, 'dist', 'server'), { recursive: true });
    copyFileSync(join(root, 'dist', 'server', 'index.js'), join(extension, 'dist', 'server', 'index.js'));
    const pglite = verifiedCopy(join(dir, 'storage'), manifest)!;
    const launch = { runtime: chooseRuntime('node'), entry: join(extension, 'dist', 'server', 'index.js'), env: { DATA_DIR: join(dir, 'data'), PGLITE_PACKAGE_DIR: pglite } };
    assert.equal(launch.runtime.command, process.execPath);
    const server = await startServer({ ...launch, port: await freePort() });
    try {
      const demo = await runAdminCommand(launch, ['demo']);
      assert.match(String(demo.token), /^ogb_/);
      const orgs = (await (await fetch(`${server.url}/api/platform/organizations`, { headers: { authorization: `Bearer ${String(demo.token)}` } })).json()) as { slug: string }[];
      assert.deepEqual(orgs.map((o) => o.slug), ['demo']);
    } finally {
      await server.stop();
    }
    assert.notEqual(await server.exited, undefined);
    assert.throws(() => process.kill(server.pid, 0), 'the server process is gone');
  });
});
