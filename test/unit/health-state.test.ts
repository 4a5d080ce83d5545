import assert from 'node:assert/strict';
import { PlatformError } from '../../src/core/api/client';
import type { HealthReport } from '../../src/core/api/types';
import { describe as describeState, fromError, fromReport, nextDelayMs, OFFLINE_DELAYS_MS, verdictOf, type HealthState } from '../../src/host/health/health-state';

const commands = { signIn: 'ogelbase.platform.signIn', report: 'ogelbase.health.showReport' };
const report = (services: HealthReport['services'], status: HealthReport['status']): HealthReport => ({ timestamp: '2026-11-30T12:00:00.000Z', status, services });

describe('health state (what the status bar shows)', () => {
  it('is healthy only when every service is', () => {
    const state = fromReport('prod', report({ postgres: { status: 'healthy', latency: 3 }, redis: { status: 'healthy', latency: 1 } }, 'healthy'));
    assert.equal(state.kind, 'healthy');
    const view = describeState(state, commands);
    assert.equal(view.text, '$(pass-filled) OgelBase');
    assert.equal(view.command, commands.report);
    assert.match(view.tooltip, /\| postgres \| \$\(pass-filled\) healthy \| 3 ms \|/);
  });

  it('names the failing services when degraded, with their errors escaped as Markdown', () => {
    const state = fromReport('prod', report({ postgres: { status: 'healthy', latency: 3 }, redis: { status: 'unhealthy', latency: 1500, error: 'no answer within 1500 ms [see](http://x)' } }, 'degraded'));
    assert.equal(state.kind, 'degraded');
    const view = describeState(state, commands);
    assert.equal(view.text, '$(warning) OgelBase: redis');
    assert.equal(view.background, 'warning');
    assert.ok(view.tooltip.includes('no answer within 1500 ms \\[see\\]\\(http\\:\\/\\/x\\)'), view.tooltip);
  });

  it('tells a refused token (sign in again) from an unreachable platform (offline)', () => {
    assert.equal(fromError('prod', new PlatformError(401, 'unauthorized', 'the JWT has expired')).kind, 'rejected');
    assert.equal(fromError('prod', new PlatformError(200, 'version', 'API 2')).kind, 'rejected');
    const offline = fromError('prod', new PlatformError(0, 'offline', 'cannot reach the platform at http://h:1 (ECONNREFUSED)'));
    assert.equal(offline.kind, 'offline');
    const view = describeState(offline, commands);
    assert.equal(view.text, '$(debug-disconnect) OgelBase: offline');
    assert.equal(view.background, 'error');
    assert.equal(describeState(fromError('prod', new PlatformError(401, 'unauthorized', 'x')), commands).command, commands.signIn);
  });

  it('gives screen readers one sentence, not the Markdown table of the tooltip', () => {
    const healthy = describeState(fromReport('prod', report({ postgres: { status: 'healthy', latency: 3 }, redis: { status: 'healthy', latency: 1 } }, 'healthy')), commands);
    assert.equal(healthy.accessibleLabel, 'OgelBase platform prod is healthy: postgres healthy in 3 ms, redis healthy in 1 ms. Activate for the health report.');
    const degraded = describeState(fromReport('prod', report({ redis: { status: 'unhealthy', latency: 1500, error: 'no answer\nwithin 1500 ms' } }, 'degraded')), commands);
    assert.equal(degraded.accessibleLabel, 'OgelBase platform prod is degraded, redis unhealthy: redis unhealthy in 1500 ms (no answer). Activate for the health report.');
    const offline = describeState(fromError('prod', new PlatformError(0, 'offline', 'cannot reach the platform at http://h:1: connection refused: nothing listens on h:1')), commands);
    assert.match(offline.accessibleLabel, /^OgelBase platform prod is offline: cannot reach the platform at http:\/\/h:1: connection refused/);
    for (const view of [healthy, degraded, offline]) {
      assert.doesNotMatch(view.accessibleLabel, /[|*\\]|\$\(/, 'no Markdown, no table, no icon syntax');
      assert.ok(!view.accessibleLabel.includes('\n'));
    }
  });

  it('keeps a service error with line breaks and table pipes inside its table cell', () => {
    const state = fromReport('prod', report({ redis: { status: 'unhealthy', latency: 5, error: 'line1\nline2 | **x**' } }, 'degraded'));
    const rows = describeState(state, commands).tooltip.split('\n').filter((line) => line.startsWith('| redis'));
    assert.equal(rows.length, 1, 'the row stays one line');
    assert.ok(rows[0]!.endsWith(String.raw`| line1\\nline2 \| \*\*x\*\* |`), rows[0]);
  });

  it('turns the outcome of any platform call into a health verdict', () => {
    const healthy: HealthState = fromReport('p', report({}, 'healthy'));
    const offline: HealthState = { kind: 'offline', platform: 'p', message: 'x' };
    const fail = (status: number, code: string) => ({ ok: false as const, error: new PlatformError(status, code, code) });
    assert.equal(verdictOf(healthy, { ok: true }), 'none');
    assert.equal(verdictOf(offline, { ok: true }), 'check', 'a success while offline triggers a check');
    assert.equal(verdictOf(healthy, fail(0, 'offline')), 'show', 'an unreachable platform shows at once');
    assert.equal(verdictOf(healthy, fail(401, 'unauthorized')), 'show');
    assert.equal(verdictOf(healthy, fail(0, 'timeout')), 'check', 'one slow call is checked, not assumed offline');
    assert.equal(verdictOf(healthy, fail(502, 'unreachable')), 'check');
    assert.equal(verdictOf(healthy, fail(503, 'circuit_open')), 'check');
    assert.equal(verdictOf(healthy, fail(400, 'validation')), 'none', "the caller's own mistake says nothing of the platform");
    assert.equal(verdictOf(healthy, fail(404, 'not_found')), 'none');
    assert.equal(verdictOf(healthy, fail(0, 'cancelled')), 'none');
  });

  it('re-checks an offline platform after 2, 5, 10 s, then every 15 s at most; otherwise at the interval', () => {
    const offline: HealthState = { kind: 'offline', platform: 'p', message: 'x' };
    assert.deepEqual([1, 2, 3, 4, 5, 50].map((n) => nextDelayMs(offline, n, 60_000)), [2_000, 5_000, 10_000, 15_000, 15_000, 15_000]);
    assert.ok(Math.max(...OFFLINE_DELAYS_MS) <= 15_000);
    assert.equal(nextDelayMs(offline, 9, 10_000), 10_000, 'never slower than the configured interval');
    assert.equal(nextDelayMs(fromReport('p', report({}, 'healthy')), 0, 60_000), 60_000);
  });

  it('offers sign-in when signed out', () => {
    const view = describeState({ kind: 'signedOut' }, commands);
    assert.equal(view.command, commands.signIn);
    assert.match(view.tooltip, /signed out/);
  });
});
