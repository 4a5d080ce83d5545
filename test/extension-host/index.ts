/**
 * The mocha runner VS Code loads inside its extension host (`extensionTestsPath`): esbuild bundles
 * it to out/test/extension-host/index.js, next to one bundle per `*.test.ts` of this folder.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: 60_000,
    // By absolute path: the extension host's working folder is not the repository. It writes the
    // counts to $OGELBASE_SUMMARY_FILE, which arrives through test-electron's `extensionTestsEnv`.
    reporter: join(root, 'test', 'support', 'mocha-summary-reporter.cjs'),
    // OGELBASE_TEST_GREP runs only the matching tests (while working on one area).
    ...(process.env.OGELBASE_TEST_GREP ? { grep: process.env.OGELBASE_TEST_GREP } : {}),
  });
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  return new Promise((done, fail) => {
    mocha.run((failures) => (failures > 0 ? fail(new Error(`${failures} extension-host test(s) failed`)) : done()));
  });
}
