import { Buffer } from 'node:buffer';
import { EngineError } from '../errors';
import type { RedisContext } from './context';
import { guarded } from './errors';
import { describeKeys, type FoundKey, SCAN_DEFAULTS } from './key-info';
import { keyBytes, prefixPattern, toKeyRef } from './keys';
import { boundedScan, scanTargets } from './scan';
import type { ListNamespaceParams, ListNamespaceResult, Namespace } from './types';

/**
 * One level of the key tree under `prefix`, folded on the delimiter: `user:1:profile` and
 * `user:1:cart` under `user:` are the namespace `user:1:` (2 keys seen), `user:7` is a key. The
 * walk is the same bounded SCAN as the key list (MATCH on the prefix with glob characters escaped),
 * so a namespace of any size opens page by page; `limit` counts namespaces plus keys returned.
 * A namespace can show up on several pages: the tree adds up `keysSeen` by prefix.
 */
export function listNamespace(ctx: RedisContext, params: ListNamespaceParams, signal?: AbortSignal): Promise<ListNamespaceResult> {
  return guarded(async () => {
    const prefix = keyBytes(params.prefix, 'prefix');
    const delimiter = Buffer.from(params.delimiter ?? ':', 'utf8');
    if (delimiter.length === 0) throw new EngineError('invalid_input', 'Redis: the delimiter cannot be empty');
    const limit = params.limit ?? SCAN_DEFAULTS.limit;
    const namespaces = new Map<string, { segment: Buffer; keysSeen: number }>();
    const leaves: FoundKey[] = [];
    const entries = () => namespaces.size + leaves.length;

    const outcome = await boundedScan(
      scanTargets(ctx.client),
      { cursor: params.cursor, match: prefixPattern(prefix), count: params.count ?? SCAN_DEFAULTS.count, maxScanned: params.maxScanned ?? SCAN_DEFAULTS.maxScanned, signal },
      {
        full: () => entries() >= limit,
        take: (key, target) => {
          const rest = key.subarray(prefix.length);
          const at = rest.indexOf(delimiter);
          if (at < 0) {
            leaves.push({ key, target });
            return;
          }
          const segment = rest.subarray(0, at);
          // latin1 maps bytes one to one, so binary segments never collide as map keys.
          const id = segment.toString('latin1');
          const known = namespaces.get(id);
          if (known) known.keysSeen++;
          else namespaces.set(id, { segment, keysSeen: 1 });
        },
      },
    );
    const folded: Namespace[] = [...namespaces.values()].map(({ segment, keysSeen }) => ({
      name: segment.toString('utf8'),
      prefix: toKeyRef(Buffer.concat([prefix, segment, delimiter])),
      keysSeen,
    }));
    folded.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { namespaces: folded, keys: await describeKeys(ctx, leaves), ...outcome };
  });
}
