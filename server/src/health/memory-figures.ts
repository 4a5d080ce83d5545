import type * as Jsc from 'bun:jsc';
import type { MetricsReport } from '../../../src/core/api/types';

/**
 * Memory figures that agree with each other, and the runtime that measured them. On Bun,
 * `process.memoryUsage()` takes heapUsed and heapTotal from different sources (heapUsed can exceed
 * heapTotal), so both come from JavaScriptCore's own heap statistics instead; on Node, V8's.
 */
export function memoryFigures(): Pick<MetricsReport, 'runtime' | 'memory'> {
  const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
  if (typeof Bun === 'undefined') {
    return { runtime: { name: 'node', version: process.versions.node, engine: 'V8' }, memory: { rss, heapTotal: Math.max(heapTotal, heapUsed), heapUsed, external } };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- bun:jsc exists only under Bun, loaded only there
  const { heapStats } = require('bun:jsc') as typeof Jsc;
  const heap = heapStats();
  return {
    runtime: { name: 'bun', version: Bun.version, engine: 'JavaScriptCore' },
    memory: { rss, heapUsed: heap.heapSize, heapTotal: Math.max(heap.heapCapacity, heap.heapSize), external: heap.extraMemorySize },
  };
}
