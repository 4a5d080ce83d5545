import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Lists a zip archive's entries with Python's zipfile (python3 is on every machine this project targets). */
function zipEntries(path: string): { name: string; size: number }[] {
  const script = 'import json,sys,zipfile; print(json.dumps([[i.filename, i.file_size] for i in zipfile.ZipFile(sys.argv[1]).infolist()]))';
  const rows = JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as [string, number][];
  return rows.map(([name, size]) => ({ name, size }));
}

describe('the packaged .vsix (vsce package --no-dependencies)', function () {
  const vsix = join(process.env.OGELBASE_RESULTS_DIR ?? 'test-results', 'ogelbase-explorer.vsix');
  before(function () {
    // The static layer packages it; run alone, this suite has nothing to inspect.
    if (!existsSync(vsix)) this.skip();
  });

  it('holds the bundles, the manifest and the documents, and nothing of the sources', () => {
    const names = zipEntries(vsix).map((e) => e.name);
    for (const required of ['extension/package.json', 'extension/dist/extension.js', 'extension/readme.md', 'extension/changelog.md', 'extension/LICENSE.txt', 'extension/media/ogelbase.svg', 'extension/dist/webviews/codicons/codicon.css', 'extension/dist/webviews/codicons/codicon.ttf', 'extension/dist/webviews/health-report.js', 'extension/dist/webviews/health-report.css']) {
      assert.ok(names.some((n) => n.toLowerCase() === required.toLowerCase()), `${required} is missing from the .vsix`);
    }
    const forbidden = names.filter((n) => /^extension\/(src|test|server|node_modules|out|bench|\.ci|\.vscode)\/|\.ts$|\.map$|\.env/.test(n));
    assert.deepEqual(forbidden, []);
  });

  it('stays small', () => {
    const size = statSync(vsix).size;
    console.log(`      .vsix size: ${(size / 1024).toFixed(1)} KiB`);
    // Well under 3 MB: the engines' drivers, the webview bundles and the codicon font are most of it.
    assert.ok(size < 2.5 * 1024 * 1024, `the .vsix is ${size} bytes`);
  });
});
