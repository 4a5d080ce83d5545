import { refId, type DatabaseRef } from '../access/database-ref';
import type { LocalConnections } from '../local/local-connection';
import type { PlatformSession } from '../platform/session';
import type { PersistedDatabase } from '../../webviews/protocol/base';

/** A database as a panel keeps it in its webview state: ids only, never a name that could go stale or a secret. */
export function persistRef(ref: DatabaseRef): PersistedDatabase {
  return ref.scope === 'local'
    ? { scope: 'local', localId: ref.local.id }
    : { scope: 'platform', platformUrl: ref.platformUrl, organizationSlug: ref.organizationSlug, databaseId: ref.info.id };
}

/** One panel per (inspector, database): this is the database half of the key. */
export const refKey = (ref: DatabaseRef) => (ref.scope === 'local' ? `local|${refId(ref)}` : `platform|${ref.platformUrl}|${refId(ref)}`);

/**
 * Finds a persisted database again after a reload: a local connection by id, or a platform database
 * through the signed-in platform (its record and the caller's current role, which may have changed).
 */
export async function resolvePersisted(persisted: PersistedDatabase, session: PlatformSession, local: LocalConnections): Promise<DatabaseRef> {
  if (persisted.scope === 'local') {
    const connection = local.list().find((c) => c.id === persisted.localId);
    if (!connection) throw new Error('this local connection has been removed');
    return { scope: 'local', local: connection };
  }
  const signedIn = session.signedIn;
  if (!signedIn || signedIn.platform.url !== persisted.platformUrl) throw new Error(`sign in to ${persisted.platformUrl} to reopen this panel`);
  const [organizations, info] = await Promise.all([signedIn.client.organizations(), signedIn.client.database(persisted.databaseId)]);
  const organization = organizations.find((o) => o.slug === persisted.organizationSlug);
  if (!organization) throw new Error(`you are no longer a member of ${persisted.organizationSlug}`);
  return { scope: 'platform', platformUrl: persisted.platformUrl, organizationSlug: organization.slug, role: organization.role, info };
}
