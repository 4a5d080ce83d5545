import type { ManagedDatabase } from '../engines/connection-manager';
import type { BackupManifest } from './manifest';

/**
 * What a backup or a restore connects with: the database as the ConnectionManager knows it (its
 * connection string, certificates, another login, the server's host policy). Backups open their
 * own connections and close them when done, outside the browsing pools.
 */
export type BackupTarget = Pick<ManagedDatabase, 'id' | 'name' | 'type' | 'connectionString' | 'tls' | 'credentials' | 'guard' | 'localFiles'>;

/** The unit a backup or restore counts in, per engine. */
export type BackupUnit = 'tables' | 'keys' | 'collections';

export interface BackupProgress {
  phase: 'preparing' | 'dumping' | 'checking' | 'restoring' | 'indexes' | 'verifying' | 'downloading';
  unit: BackupUnit;
  /** Tables, keys or collections done so far. */
  done: number;
  /** How many there are, when known in advance. */
  total?: number;
  /** Bytes written (backup) or read (restore) so far. */
  bytes: number;
  totalBytes?: number;
  /** What is being worked on now (a table, a collection, a node). */
  current?: string;
}

export type ProgressSink = (progress: BackupProgress) => void;

/** Where the engines' own programs are, and where the messages say to get them. */
export interface ToolSettings {
  /** A folder holding pg_dump and pg_restore (PG_BIN_DIR on the server, ogelbase.backup.postgresBinDir in the extension). */
  postgresBinDir?: string;
  /** Named in "install …" messages: the server's Docker image or the user's own machine. */
  where: 'server' | 'extension';
}

export interface BackupOptions {
  /** The backup's id (a UUID), recorded in its manifest. */
  id: string;
  /** MongoDB: gzip each file (`--gzip`). */
  gzip?: boolean;
  /** MongoDB: one archive file (`--archive`) instead of the directory layout. */
  archive?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  tools: ToolSettings;
}

/** What a backup wrote: its manifest (also written to `manifest.json` in the folder). */
export type BackupResult = BackupManifest;

export interface PlanItem {
  /** `public.orders`, `shop.customers`, or a key type for Redis (`hash keys`). */
  name: string;
  /** Rows, documents or keys in the backup. */
  inBackup?: number;
  /** Rows, documents or keys there now (what would be replaced). */
  now?: number;
}

export interface PlanSection {
  /** Tables, keys or collections in this section. */
  count: number;
  /** Listed items (at most a few hundred; `truncated` says when more exist). */
  items: PlanItem[];
  truncated: boolean;
}

/**
 * What a restore would do, found before anything is touched: what it overwrites (exists in both),
 * adds (only in the backup), and leaves alone (only in the database now).
 */
export interface RestorePlan {
  engine: BackupManifest['engine'];
  unit: BackupUnit;
  backup: { id: string; name: string; finishedAt: string; serverVersion: string; method: BackupManifest['method']; totalBytes: number };
  target: { name: string; serverVersion: string };
  overwrite: PlanSection;
  add: PlanSection;
  leaveAlone: PlanSection;
  /** What the restore will do differently or what to know (missing roles, other Redis databases, keys already expired). */
  notes: string[];
}

export interface RestoreReport {
  outcome: 'completed' | 'cancelled' | 'failed';
  unit: BackupUnit;
  startedAt: string;
  finishedAt: string;
  /** One sentence for a notification. */
  message: string;
  /** Tables, keys or collections restored, of how many. */
  restored: number;
  total: number;
  /** What was done, item by item (at most a few hundred listed). */
  items: { name: string; restored: number; expected?: number; state: 'done' | 'partial' | 'rolled back' | 'not started' }[];
  /** Counts compared with the manifest after a completed restore. */
  verification?: { ok: boolean; checked: number; mismatches: { name: string; expected: number; found: number }[] };
  error?: string;
}
