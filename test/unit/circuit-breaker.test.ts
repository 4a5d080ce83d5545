import assert from 'node:assert/strict';
import { CircuitBreaker } from '../../src/core/engines/circuit-breaker';
import { EngineError } from '../../src/core/engines/errors';

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker('redis-cache', { threshold: 5, resetTimeoutMs: 60_000, now: () => now });
  const down = () => Promise.reject(new EngineError('unreachable', 'refused'));
  const up = () => Promise.resolve('ok');
  beforeEach(() => {
    now = 1_000_000;
  });

  it('opens after five consecutive failures and then fails fast, naming the database and the wait', async () => {
    const b = breaker();
    for (let i = 0; i < 5; i++) await assert.rejects(b.run(down), /refused/);
    assert.equal(b.figures().state, 'open');
    let called = false;
    now += 18_000;
    await assert.rejects(
      b.run(async () => {
        called = true;
      }),
      (error: EngineError) => error.code === 'circuit_open' && error.message === 'circuit open for redis-cache, retry in 42 s' && error.retryInMs === 42_000,
    );
    assert.equal(called, false, 'an open circuit must not reach the database');
  });

  it('does not count user errors (a bad filter) as failures of the database', async () => {
    const b = breaker();
    for (let i = 0; i < 10; i++) await assert.rejects(b.run(() => Promise.reject(new EngineError('invalid_input', 'bad filter'))));
    assert.equal(b.figures().state, 'closed');
    assert.equal(b.figures().failures, 0);
  });

  it('resets the count on success: only consecutive failures open it', async () => {
    const b = breaker();
    for (let i = 0; i < 4; i++) await assert.rejects(b.run(down));
    await b.run(up);
    for (let i = 0; i < 4; i++) await assert.rejects(b.run(down));
    assert.equal(b.figures().state, 'closed');
  });

  it('lets one probe through after the reset timeout; success closes the circuit', async () => {
    const b = breaker();
    for (let i = 0; i < 5; i++) await assert.rejects(b.run(down));
    now += 60_000;
    assert.equal(b.figures().state, 'half-open');
    let release!: () => void;
    const probe = b.run(() => new Promise<string>((resolve) => (release = () => resolve('back'))));
    await assert.rejects(b.run(up), (e: EngineError) => e.code === 'circuit_open', 'a second call while probing is refused');
    release();
    assert.equal(await probe, 'back');
    assert.equal(b.figures().state, 'closed');
    assert.equal(await b.run(up), 'ok');
  });

  it('reopens for a full reset timeout when the probe fails', async () => {
    const b = breaker();
    for (let i = 0; i < 5; i++) await assert.rejects(b.run(down));
    now += 60_001;
    await assert.rejects(b.run(down), /refused/);
    assert.equal(b.figures().state, 'open');
    assert.equal(b.figures().retryInMs, 60_000);
  });
});
