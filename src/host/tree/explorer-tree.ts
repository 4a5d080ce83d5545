import type { DatabaseAccess } from '../access/database-access';
import type { Config } from '../config';
import type { LocalConnection, LocalConnections } from '../local/local-connection';
import type { Log } from '../log';
import type { PlatformSession } from '../platform/session';
import { childId, LOCAL_ROOT_ID, platformRootId } from './ids';
import type { ExplorerNode } from './nodes';
import type { ChildSource, LoadContext } from './paging';
import { databasesSource, localDatabasesSource, organizationsSource, projectsSource } from './platform-children';
import { ExplorerTreeProvider } from './tree-provider';
import { backupsFolder, backupsSource, withBackupsFolder } from '../backups/tree';
import { isItem } from './nodes';

/**
 * The "Platform" view (`ogelbase.explorer`): organizations → projects → databases (paged) → each
 * engine's levels. Signed out it has no rows, so the welcome content shows; any change of session
 * (sign-in, sign-out, switching platforms) re-lists everything.
 */
export class PlatformTree extends ExplorerTreeProvider {
  /** The Backups row of each database listed so far, by database id, to list it again after a backup. */
  private readonly backupFolders = new Map<string, ExplorerNode>();

  constructor(
    private readonly session: PlatformSession,
    access: DatabaseAccess,
    config: Config,
    log: Log,
  ) {
    super(access, config, log, 'tree');
    this.register(session.onDidChange(() => this.refresh()));
  }

  protected get rootId(): string {
    return platformRootId(this.session.signedIn?.platform.url);
  }

  /** Lists a database's backups again (after a backup, a restore or a delete), if the tree showed them. */
  refreshBackups(databaseId: string): void {
    const folder = this.backupFolders.get(databaseId);
    if (folder) this.refresh(folder);
  }

  protected rootSource(): ChildSource | undefined {
    if (!this.session.signedIn) return undefined;
    return organizationsSource(
      () => this.session.signedIn,
      this.rootId,
      (profile) => this.session.remember(profile),
      (error) => this.log.warn(`[tree] the platform listed organizations but not the profile: ${(error as Error).message}`),
    );
  }

  protected override childSource(node: ExplorerNode, context: LoadContext): ChildSource | undefined {
    if (node.kind === 'organization') return projectsSource(() => this.session.signedIn, node, context);
    if (node.kind === 'project') return databasesSource(() => this.session.signedIn, node, context);
    // Platform databases list their Backups row first; the row lists the platform's backups.
    if (node.kind === 'database' && node.ref.scope === 'platform') {
      const source = withBackupsFolder({ ...node, ref: node.ref }, super.childSource(node, context), (line) => this.log.error(`[tree] ${line}`));
      this.backupFolders.set(node.ref.info.id, backupsFolder({ ...node, ref: node.ref }));
      return source;
    }
    if (isItem(node, 'backup.folder')) return backupsSource(() => this.session.signedIn, node, context, () => this.refresh(node));
    return super.childSource(node, context);
  }
}

/**
 * The "Local Connections" view (`ogelbase.localConnections`): one database row per connection the
 * user added, with the same engine levels. A change to the list re-lists the top level and drops
 * what was loaded under connections that were edited or removed; the others keep their pages.
 */
export class LocalTree extends ExplorerTreeProvider {
  /** The records as last listed, to tell which ones a change touched. */
  private listed = new Map<string, string>();

  constructor(
    private readonly local: LocalConnections,
    access: DatabaseAccess,
    config: Config,
    log: Log,
  ) {
    super(access, config, log, 'local-tree');
    this.register(local.onDidChange(() => this.localChanged()));
  }

  protected get rootId(): string {
    return LOCAL_ROOT_ID;
  }

  protected rootSource(context: LoadContext): ChildSource {
    const connections = this.local.list();
    this.listed = new Map(connections.map((c) => [c.id, fingerprint(c)]));
    return localDatabasesSource(connections, this.rootId, context);
  }

  private localChanged(): void {
    const now = new Map(this.local.list().map((c) => [c.id, fingerprint(c)]));
    for (const [id, print] of this.listed) if (now.get(id) !== print) this.dropWithin(childId(this.rootId, 'db', id));
    this.relistRoot();
  }
}

const fingerprint = (c: LocalConnection) => JSON.stringify([c.name, c.type, c.endpoint, c.masked, c.readOnly, c.description]);
