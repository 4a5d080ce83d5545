import type { TestConnectionResult } from '../api/types';
import type { EngineFactory } from './connection-manager';
import type { OperationTable } from './operations';
import type { ProbeTarget } from './probe-result';
import type { EngineSettings } from './settings';

/**
 * What each engine's bundle entry (`src/core/engines/<engine>/index.ts`, built to
 * `dist/engines/<engine>.js`) provides. The extension loads a bundle the first time it needs that
 * engine; the server imports all three.
 */
export interface EngineModule {
  /** Opens the engine over a new driver client for the ConnectionManager. */
  openHandle: EngineFactory;
  /** The engine's operations: the same names the platform serves under /databases/{id}/<engine>/. */
  operations: OperationTable<never>;
  /** Connects once: latency and server version, or a readable error. */
  probe(connectionString: string, settings: EngineSettings, timeoutMs: number, target?: ProbeTarget): Promise<TestConnectionResult>;
}
