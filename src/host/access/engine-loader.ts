import { join } from 'node:path';
import type { EngineType } from '../../core/api/types';
import type { EngineModule } from '../../core/engines/engine-module';

const loaded = new Map<EngineType, EngineModule>();

/**
 * Loads an engine's bundle (dist/engines/<engine>.js: the driver and the engine) the first time it
 * is needed, so activation never pays for pg, ioredis or mongodb. The path is computed at run time
 * on purpose: esbuild then leaves the bundle out of dist/extension.js.
 */
export function loadEngine(extensionPath: string, type: EngineType): EngineModule {
  let engine = loaded.get(type);
  if (!engine) {
    const path = join(extensionPath, 'dist', 'engines', `${type}.js`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazily loaded bundle, by design
    engine = require(path) as EngineModule;
    loaded.set(type, engine);
  }
  return engine;
}
