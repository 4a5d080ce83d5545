import assert from 'node:assert/strict';
import { EngineError, type EngineErrorCode } from '../../../src/core/engines/errors';

/** Awaits `promise` and checks it failed with an EngineError of `code` whose message matches. */
export async function rejectsWith(promise: Promise<unknown>, code: EngineErrorCode, message?: RegExp): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  return assert.fail(`expected an EngineError with code ${code}`);
}
