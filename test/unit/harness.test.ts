import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layerTotal, readBunJunit } from '../support/harness/layers';
import { scanForSecrets } from '../support/harness/leak-scan';

describe('test harness', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ogelbase-harness-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a secret in any file of the results folder, also URL-encoded, and reports only a hint', () => {
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'clean.log'), 'connected to redis://default:****@127.0.0.1:6379/0\n');
    writeFileSync(join(dir, 'logs', 'server.log'), 'error: password authentication failed for p%40ss%2Fword-123\n');
    const { filesScanned, leaks } = scanForSecrets(dir, ['p@ss/word-123']);
    assert.equal(filesScanned, 2);
    assert.equal(leaks.length, 1);
    assert.equal(leaks[0]!.file, join(dir, 'logs', 'server.log'));
    assert.ok(!leaks[0]!.secretHint.includes('word-123'));
  });

  it('finds a secret JSON-escaped, URL-encoded and base64-encoded at any alignment, and names the form', () => {
    const secret = 'Pa"ss\\word/+=é-42';
    const cases: [string, string, string][] = [
      ['json.log', JSON.stringify({ error: `bad password ${secret}` }), 'json'],
      ['url.log', `GET /cb?pw=${encodeURIComponent(secret)}&x=1`, 'url'],
      ['b64-0.log', `Authorization: Basic ${Buffer.from(secret).toString('base64')}`, 'base64'],
      ['b64-1.log', `blob ${Buffer.from(`u${secret}`).toString('base64')}`, 'base64'],
      ['b64-2.log', `blob ${Buffer.from(`us:${secret}!`).toString('base64')}`, 'base64'],
      ['b64url.log', `token=${Buffer.from(`ab${secret}`).toString('base64url')}`, 'base64url'],
    ];
    for (const [name, content] of cases) writeFileSync(join(dir, name), content);
    writeFileSync(join(dir, 'clean.log'), `nothing: ${Buffer.from('another text entirely').toString('base64')}`);
    const { leaks } = scanForSecrets(dir, [secret]);
    for (const [name, , form] of cases) {
      assert.ok(leaks.some((l) => l.file === join(dir, name) && (l.form === form || (form === 'base64url' && l.form === 'base64'))), `${name}: ${JSON.stringify(leaks.filter((l) => l.file.endsWith(name)))}`);
    }
    assert.ok(!leaks.some((l) => l.file.endsWith('clean.log')));
  });

  it('counts a layer that ran zero tests as a failure, with or without steps', () => {
    assert.deepEqual(layerTotal('engines', [{ passed: 3, failed: 0, skipped: 1, failures: [] }]), { passed: 3, failed: 0, skipped: 1, failures: [] });
    const none = layerTotal('security', []);
    assert.equal(none.failed, 1);
    assert.match(none.failures[0]!.message, /ran zero tests/);
    const empty = layerTotal('unit', [{ passed: 0, failed: 0, skipped: 4, failures: [] }]);
    assert.equal(empty.failed, 1, 'skipped tests alone do not count as testing anything');
  });

  it('finds nothing when no file holds a secret', () => {
    writeFileSync(join(dir, 'a.log'), 'nothing to see');
    assert.deepEqual(scanForSecrets(dir, ['hunter2-secret']).leaks, []);
  });

  it('reads the totals and failures of a bun junit report', () => {
    const file = join(dir, 'junit.xml');
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="bun test" tests="5" assertions="9" failures="1" skipped="1" time="0.1">
  <testsuite name="a.test.ts" tests="5" failures="1" skipped="1">
    <testcase name="breaks" classname="x" time="0.01">
      <failure message="expected 1 to be 2" type="AssertionError" />
    </testcase>
  </testsuite>
</testsuites>`,
    );
    assert.deepEqual(readBunJunit(file), {
      passed: 3,
      failed: 1,
      skipped: 1,
      failures: [{ title: 'breaks', message: 'expected 1 to be 2' }],
    });
  });
});
