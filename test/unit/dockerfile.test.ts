/**
 * The server's Docker image cannot be built on these machines (no registry for base images), so
 * this checks what a build would trip on first: every COPY source exists in the build context (the
 * repository root), and the install stage has the package.json of every workspace the root names.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'server', 'Dockerfile'), 'utf8');
const copies = dockerfile
  .split('\n')
  .filter((line) => /^COPY\s/.test(line) && !/--from=/.test(line))
  .map((line) => line.trim().split(/\s+/).slice(1, -1));

describe('server/Dockerfile (build context: the repository root)', () => {
  it('copies only paths that exist', () => {
    assert.ok(copies.length > 0);
    for (const sources of copies) for (const source of sources) assert.ok(existsSync(join(root, source)), `COPY ${source}: not in the repository`);
  });

  it('gives the install stage every workspace of the root package.json', () => {
    const install = dockerfile.slice(0, dockerfile.indexOf('RUN bun install'));
    const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
    for (const workspace of workspaces) assert.match(install, new RegExp(`COPY [^\\n]*${workspace}/package\\.json`), `the install stage lacks ${workspace}/package.json`);
  });
});
