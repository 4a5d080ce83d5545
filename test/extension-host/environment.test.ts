/**
 * The extension host must see the variables the runner forwards (test-electron's `extensionTestsEnv`):
 * the summary file and the test databases' URLs travel that way, through code-server's environment.
 */
import assert from 'node:assert/strict';

describe('environment (real extension host)', () => {
  it('receives every variable the runner forwarded', () => {
    const forwarded = (process.env.OGELBASE_FORWARDED_ENV ?? '').split(',').filter(Boolean);
    assert.ok(forwarded.includes('OGELBASE_SUMMARY_FILE'), 'the runner forwarded nothing: OGELBASE_FORWARDED_ENV is missing');
    const missing = forwarded.filter((name) => !process.env[name]);
    assert.deepEqual(missing, [], 'forwarded but missing in the extension host');
    console.log(`      forwarded: ${forwarded.join(', ')}`);
  });
});
