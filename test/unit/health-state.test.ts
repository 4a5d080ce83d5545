import assert from 'node:assert/strict';
import { PlatformError } from '../../src/core/api/client';
import type { HealthReport } from '../../src/core/api/types';
import { describe as describeState, fromError, fromReport } from '../../src/host/health/health-state';

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
    assert.match(view.tooltip, /no answer within 1500 ms \\\[see\\\]\\\(http:\/\/x\\\)/);
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

  it('offers sign-in when signed out', () => {
    const view = describeState({ kind: 'signedOut' }, commands);
    assert.equal(view.command, commands.signIn);
    assert.match(view.tooltip, /signed out/);
  });
});
