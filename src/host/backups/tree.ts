import type { BackupInfo } from '../../core/api/backups';
import { BackupsClient } from '../../core/api/backups-client';
import { mayDo } from '../../core/backup/policy';
import type { DatabaseRef } from '../access/database-ref';
import { CommandIds } from '../commands/ids';
import type { SignedIn } from '../platform/session';
import { bytes, count, duration, shortError } from '../tree/format';
import { childId, errorId } from '../tree/ids';
import { isItem, itemNode, type DatabaseNode, type ExplorerNode, type ItemNodeBase } from '../tree/nodes';
import type { ChildSource, LoadContext } from '../tree/paging';
import type { ItemLook } from '../tree/render-items';
import { Tooltip } from '../tree/tooltip';
import { progressText } from './format';

type PlatformRef = Extract<DatabaseRef, { scope: 'platform' }>;

/** While a listed backup runs, its folder is listed again this often (only while the tree shows it). */
const RUNNING_REFRESH_MS = 2000;

/** `2025-01-02 03:04` in local time. */
export function when(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The Backups row of a platform database: the first of its children. */
export function backupsFolder(database: DatabaseNode & { ref: PlatformRef }): ExplorerNode {
  return itemNode(childId(database.id, 'backups', ''), database.ref, 'backup.folder', 'Backups', { databaseId: database.ref.info.id });
}

/**
 * A platform database's children: its Backups row first, then the engine's own levels. When those
 * fail, the Backups row stays beside the error row, and `logFailure` writes the line the tree would.
 */
export function withBackupsFolder(database: DatabaseNode & { ref: PlatformRef }, engine: ChildSource | undefined, logFailure: (line: string) => void): ChildSource | undefined {
  if (!engine) return undefined;
  const folder = backupsFolder(database);
  return {
    ...engine,
    // The run (Filter Keys, Scan to the end) goes through: without it a scan stops at a click's budget.
    first: async (run) => {
      try {
        const page = await engine.first(run);
        return { ...page, nodes: [folder, ...page.nodes] };
      } catch (error) {
        // The database may be unreachable while its backups are not: the Backups row stays, beside the error (Retry lists again).
        logFailure(`could not load ${engine.what}: ${shortError(error)}`);
        return { nodes: [folder, { kind: 'error', id: errorId(database.id), parentId: database.id, message: `Could not load ${engine.what}: ${shortError(error)}` }] };
      }
    },
    rank: (node) => (isItem(node, 'backup.folder') ? -1 : (engine.rank?.(node) ?? 0)),
    empty: undefined,
  };
}

/** The backups of one database, newest first, a page at a time; listed again every 2 s while one runs. */
export function backupsSource(signedIn: () => SignedIn | undefined, folder: ItemNodeBase, ctx: LoadContext, refreshSoon: () => void): ChildSource {
  const ref = folder.ref as PlatformRef;
  const page = async (offset: number) => {
    const current = signedIn();
    if (!current || current.platform.url !== ref.platformUrl) throw new Error(`not signed in to ${ref.platformUrl} any more`);
    const list = await new BackupsClient(current.client).list(ref.info.id, { limit: ctx.pageSize, offset }, ctx.signal);
    if (list.backups.some((b) => b.status === 'running' || b.status === 'queued')) {
      const timer = setTimeout(() => !ctx.signal.aborted && refreshSoon(), RUNNING_REFRESH_MS);
      ctx.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }
    const shown = offset + list.backups.length;
    const nodes = list.backups.map((b) => itemNode(childId(folder.id, 'backup', b.id), ref, 'backup.item', when(b.createdAt), b));
    return { nodes, next: list.backups.length > 0 && shown < list.total ? () => page(shown) : undefined, moreLabel: `Load more (${count(shown)} of ${count(list.total)})` };
  };
  return {
    what: `backups of ${ref.info.name}`,
    empty: mayDo(ref.role, 'create')
      ? { label: 'No backups yet: back up now', icon: 'add', command: { command: CommandIds.backupDatabase, title: 'Back Up Database', arguments: [folder] } }
      : { label: 'No backups yet' },
    first: () => page(0),
  };
}

const statusIcon: Record<BackupInfo['status'], string> = { completed: 'package', running: 'sync~spin', queued: 'clock', failed: 'error', cancelled: 'circle-slash' };

/** How the Backups row and each backup look; contextValues carry what the caller's role may do. */
export function renderBackupItem(node: ItemNodeBase): ItemLook | undefined {
  const ref = node.ref as PlatformRef;
  if (isItem(node, 'backup.folder')) {
    return {
      icon: 'archive',
      expandable: true,
      context: `backup.folder${mayDo(ref.role, 'create') ? '.create' : ''}`,
      tooltip: new Tooltip().title(`Backups of ${ref.info.name}`).note('Kept by the platform. Back Up Database adds one; each has Download, Restore and Delete.').markdown,
    };
  }
  if (!isItem(node, 'backup.item')) return undefined;
  const b = node.detail;
  const size = b.sizeBytes !== null ? bytes(b.sizeBytes) : undefined;
  const running = b.status === 'running' || b.status === 'queued';
  const description = running ? (b.progress ? progressText(b.progress) : b.status) : [size, b.status === 'completed' ? b.summary : b.status].filter(Boolean).join(' · ');
  const took = b.startedAt && b.finishedAt ? Math.max(0, Math.round((Date.parse(b.finishedAt) - Date.parse(b.startedAt)) / 1000)) : undefined;
  return {
    description,
    icon: statusIcon[b.status],
    expandable: false,
    context: `backup.item.${b.status}${mayDo(ref.role, 'download') ? '.download' : ''}${mayDo(ref.role, 'restore') ? '.manage' : ''}`,
    tooltip: new Tooltip()
      .title(`${ref.info.name} · ${when(b.createdAt)}`, `${b.trigger} backup`)
      .field('Status', b.status)
      .field('Holds', b.summary)
      .field('Size', size)
      .field('Took', took === undefined ? null : duration(took))
      .field('Options', b.options.archive || b.options.gzip ? [b.options.archive && 'archive', b.options.gzip && 'gzip'].filter(Boolean).join(', ') : null)
      .code('Id', b.id)
      .note(b.error).markdown,
  };
}
