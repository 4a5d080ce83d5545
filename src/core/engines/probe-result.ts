import type { TestConnectionResult } from '../api/types';
import type { EngineType } from '../connection-strings';
import { describeDriverError } from './errors';
import type { NetworkGuard, TlsMaterial } from './network';

/** What a probe connects with besides the connection string (see ManagedDatabase). */
export interface ProbeTarget {
  tls?: TlsMaterial;
  localFiles?: boolean;
  guard?: NetworkGuard;
}

/** Times `connect` and turns its outcome, success or any driver error, into a TestConnectionResult. */
export async function timedProbe(engine: EngineType, where: string, connect: () => Promise<string>): Promise<TestConnectionResult> {
  const started = performance.now();
  try {
    const serverVersion = await connect();
    return { ok: true, latency: Math.round(performance.now() - started), serverVersion };
  } catch (error) {
    const described = describeDriverError(engine, error, where);
    return { ok: false, latency: Math.round(performance.now() - started), error: { code: described.code, message: described.message } };
  }
}
