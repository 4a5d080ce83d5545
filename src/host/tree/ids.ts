import type { KeyRef } from '../../core/engines/redis';

/**
 * Node ids: the parent's id, `/`, then `kind:name` with the name percent-encoded, so no name can
 * forge a `/` or a `:` and ids of siblings never collide. Rows the tree adds itself (load more,
 * error, empty) end in a bare word, which no `kind:name` segment can equal.
 */
export const childId = (parentId: string, kind: string, name: string) => `${parentId}/${kind}:${encodeURIComponent(name)}`;

/**
 * A Redis key or prefix by its exact bytes: UTF-8 names as text, other keys as their base64 after
 * `=`, a character percent-encoding never leaves bare, so the two forms cannot meet.
 */
export const keySegment = (key: KeyRef) => (key.base64 === undefined ? encodeURIComponent(key.name) : `=${key.base64}`);
export const keyChildId = (parentId: string, kind: string, key: KeyRef) => `${parentId}/${kind}:${keySegment(key)}`;

export const loadMoreId = (parentId: string) => `${parentId}/more`;
export const toEndId = (parentId: string) => `${parentId}/to-end`;
export const errorId = (parentId: string) => `${parentId}/error`;
export const emptyId = (parentId: string) => `${parentId}/empty`;

/** Root ids: one per platform URL (switching platforms never reuses an id), one for local connections. */
export const platformRootId = (url: string | undefined) => (url ? `platform:${encodeURIComponent(url)}` : 'platform');
export const LOCAL_ROOT_ID = 'local';

/** Whether `id` is `ancestor` or lies below it. */
export const isWithin = (id: string, ancestor: string) => id === ancestor || id.startsWith(`${ancestor}/`);
