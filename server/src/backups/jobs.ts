import { randomUUID } from 'node:crypto';
import type { EngineType } from '../../../src/core/api/types';
import type { EngineBackup } from '../../../src/core/backup/engine';
import { verifyFiles } from '../../../src/core/backup/manifest';
import { restoreBackup } from '../../../src/core/backup/run';
import type { BackupProgress, BackupTarget, RestorePlan, RestoreReport, ToolSettings } from '../../../src/core/backup/types';
import { EngineError } from '../../../src/core/engines/errors';
import { maskSecretsInText } from '../../../src/core/redact';
import { conflict } from '../errors';
import type { Logger } from '../logger';
import type { DatabaseRow } from '../store/databases';
import type { JobLocks } from './locks';
import type { BackupStorage } from './storage';
import type { BackupRow, BackupStore, RestoreRow } from './store';

/** Every process has its own id: jobs it started carry it, so the embedded database's next owner knows they died with it. */
export const PROCESS_INSTANCE = randomUUID();

export interface Actor {
  userId: string | null;
  tokenId: string | null;
}

export interface BackupJobsDeps {
  store: BackupStore;
  storage: BackupStorage;
  locks: JobLocks;
  engines: Record<EngineType, EngineBackup>;
  /** The database's row and its stored login (never the read-only one: a backup reads everything). */
  resolve(databaseId: string): Promise<{ row: DatabaseRow; target: BackupTarget }>;
  tools: ToolSettings;
  /** BACKUP_MAX_CONCURRENT: jobs this process runs at once; more wait in its queue. */
  maxConcurrent: number;
  heartbeatMs: number;
  /** BACKUP_HEARTBEAT_TIMEOUT: a job without a heartbeat for this long is marked failed. */
  staleMs: number;
  audit(actor: Actor, organizationId: string, action: string, targetId: string, details: Record<string, unknown>): Promise<void>;
  /** After a restore: the browsing pools of that database are closed (tables were dropped and created again). */
  onRestored(databaseId: string): void;
  log: Logger;
}

type Job =
  | { kind: 'backup'; id: string; databaseId: string; organizationId: string; actor: Actor; options: { gzip?: boolean; archive?: boolean }; controller: AbortController }
  | { kind: 'restore'; id: string; databaseId: string; organizationId: string; actor: Actor; backup: BackupRow; controller: AbortController };

/** Secrets of a target, to keep them out of any message that is stored. */
function secretsOf(target: BackupTarget | undefined): string[] {
  if (!target) return [];
  const found: string[] = [];
  const match = /:\/\/[^:/@]*:([^@]*)@/.exec(target.connectionString);
  if (match?.[1]) found.push(decodeURIComponent(match[1]));
  if (target.credentials?.password) found.push(target.credentials.password);
  return found;
}

/**
 * Backup and restore jobs of this process: started by a request, run in the background (a client
 * that goes away changes nothing), at most `maxConcurrent` at once and one per database (its lock),
 * their progress written to the platform database at most once a second, a heartbeat every few
 * seconds (which also carries a cancel asked of another process). Jobs of a process that died are
 * marked failed: at start for the embedded database's single owner, by their stale heartbeats otherwise.
 */
export class BackupJobs {
  private readonly queue: Job[] = [];
  private readonly running = new Map<string, Job>();
  private readonly done = new Map<string, Promise<void>>();
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(private readonly deps: BackupJobsDeps) {
    this.timer = setInterval(() => void this.tick(), deps.heartbeatMs);
    this.timer.unref?.();
  }

  /** At start: jobs left running by an earlier process are failed; with a single owner, all of them at once. */
  async recover(singleOwner: boolean): Promise<void> {
    const reason = 'the server stopped while this job ran (it was restarted or crashed); start it again';
    const failed = await this.deps.store.failOrphans(reason, singleOwner ? { notInstance: PROCESS_INSTANCE } : { staleMs: this.deps.staleMs });
    if (failed.backups.length + failed.restores.length > 0) this.deps.log.warn('marked jobs of a stopped server as failed', { backups: failed.backups.length, restores: failed.restores.length });
  }

  private async tick(): Promise<void> {
    for (const job of this.running.values()) {
      const table = job.kind === 'backup' ? 'backups' : 'restores';
      try {
        if (await this.deps.store.heartbeat(table, job.id)) job.controller.abort();
        await this.deps.locks.renew(job.databaseId, job.id);
      } catch (error) {
        this.deps.log.debug('job heartbeat failed', { job: job.id, error: (error as Error).message });
      }
    }
    for (const job of this.queue) await this.deps.store.heartbeat(job.kind === 'backup' ? 'backups' : 'restores', job.id).catch(() => undefined);
    await this.recover(false).catch(() => undefined);
  }

  private async lock(row: DatabaseRow, id: string): Promise<void> {
    const taken = await this.deps.locks.acquire(row.id, id);
    if (!taken.ok) throw conflict(`a backup or restore of ${row.name} is already under way (job ${taken.holder}): wait for it to finish or cancel it`);
  }

  async startBackup(row: DatabaseRow, options: { gzip?: boolean; archive?: boolean }, trigger: 'manual' | 'scheduled', actor: Actor): Promise<string> {
    if (this.closed) throw conflict('the server is shutting down');
    const id = randomUUID();
    await this.lock(row, id);
    try {
      await this.deps.store.insertBackup({ id, databaseId: row.id, organizationId: row.organizationId, engine: row.type, trigger, options, createdBy: actor.userId }, PROCESS_INSTANCE);
    } catch (error) {
      await this.deps.locks.release(row.id, id);
      throw error;
    }
    this.enqueue({ kind: 'backup', id, databaseId: row.id, organizationId: row.organizationId, actor, options, controller: new AbortController() });
    return id;
  }

  async startRestore(row: DatabaseRow, backup: BackupRow, plan: RestorePlan | null, actor: Actor): Promise<string> {
    if (this.closed) throw conflict('the server is shutting down');
    const id = randomUUID();
    await this.lock(row, id);
    try {
      await this.deps.store.insertRestore({ id, databaseId: row.id, backupId: backup.id, organizationId: row.organizationId, plan, createdBy: actor.userId }, PROCESS_INSTANCE);
    } catch (error) {
      await this.deps.locks.release(row.id, id);
      throw error;
    }
    this.enqueue({ kind: 'restore', id, databaseId: row.id, organizationId: row.organizationId, actor, backup, controller: new AbortController() });
    return id;
  }

  /** Cancels a job: at once when this process runs it, else through the flag its process reads. */
  async cancel(kind: 'backup' | 'restore', id: string): Promise<void> {
    const queued = this.queue.findIndex((j) => j.id === id);
    if (queued >= 0) {
      const [job] = this.queue.splice(queued, 1);
      await this.finishCancelledInQueue(job!);
      return;
    }
    const job = this.running.get(id);
    if (job) job.controller.abort();
    else await this.deps.store.requestCancel(kind === 'backup' ? 'backups' : 'restores', id);
  }

  /** Resolves when the job (of this process) has ended; at once for others. */
  settled(id: string): Promise<void> {
    return this.done.get(id) ?? Promise.resolve();
  }

  private async finishCancelledInQueue(job: Job): Promise<void> {
    const change = { status: 'cancelled' as const, finishedAt: new Date(), error: 'cancelled before it started' };
    if (job.kind === 'backup') await this.deps.store.updateBackup(job.id, change);
    else await this.deps.store.updateRestore(job.id, change);
    await this.deps.locks.release(job.databaseId, job.id);
  }

  private enqueue(job: Job): void {
    let resolve!: () => void;
    this.done.set(job.id, new Promise((r) => (resolve = r)));
    (job as Job & { resolve: () => void }).resolve = resolve;
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.deps.maxConcurrent && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running.set(job.id, job);
      const work = job.kind === 'backup' ? this.runBackup(job) : this.runRestore(job);
      void work
        .catch((error: unknown) => this.deps.log.error('backup job crashed', { job: job.id, error: (error as Error).message }))
        .finally(async () => {
          this.running.delete(job.id);
          await this.deps.locks.release(job.databaseId, job.id).catch(() => undefined);
          (job as Job & { resolve?: () => void }).resolve?.();
          this.done.delete(job.id);
          this.pump();
        });
    }
  }

  /** A progress writer that writes at most once a second. */
  private progressWriter(write: (p: BackupProgress) => Promise<void>) {
    let last = 0;
    let latest: BackupProgress | undefined;
    return {
      report: (p: BackupProgress) => {
        latest = p;
        if (Date.now() - last < 1000) return;
        last = Date.now();
        void write(p).catch(() => undefined);
      },
      flush: async () => {
        if (latest) await write(latest).catch(() => undefined);
      },
    };
  }

  private failureText(error: unknown, target: BackupTarget | undefined): string {
    if (error instanceof EngineError) return maskSecretsInText(error.message, secretsOf(target));
    if (error && typeof error === 'object' && 'status' in error && 'message' in error) return String((error as { message: unknown }).message);
    this.deps.log.error('backup job failed unexpectedly', { error: maskSecretsInText((error as Error)?.message ?? String(error), secretsOf(target)) });
    return 'the job failed unexpectedly; the server log has the details';
  }

  private async runBackup(job: Extract<Job, { kind: 'backup' }>): Promise<void> {
    const { store, storage } = this.deps;
    const signal = job.controller.signal;
    await store.updateBackup(job.id, { status: 'running', startedAt: new Date() });
    const progress = this.progressWriter((p) => store.updateBackup(job.id, { progress: p }));
    let staged: string | undefined;
    let target: BackupTarget | undefined;
    try {
      const resolved = await this.deps.resolve(job.databaseId);
      target = resolved.target;
      staged = await storage.stage(job.id);
      const engine = this.deps.engines[resolved.row.type];
      const manifest = await engine.backup(target, staged, { id: job.id, gzip: job.options.gzip, archive: job.options.archive, signal, onProgress: progress.report, tools: this.deps.tools });
      await verifyFiles(staged, manifest, signal);
      if (signal.aborted) throw new EngineError('cancelled', 'the backup was cancelled');
      await storage.commit(job.databaseId, job.id, staged);
      staged = undefined;
      await progress.flush();
      await store.updateBackup(job.id, { status: 'completed', manifest, sizeBytes: manifest.totalBytes, finishedAt: new Date() });
      await this.deps.audit(job.actor, job.organizationId, 'backup.completed', job.databaseId, { backupId: job.id, bytes: manifest.totalBytes, method: manifest.method });
    } catch (error) {
      if (staged) await storage.discard(staged).catch(() => undefined);
      const cancelled = signal.aborted && !this.closed;
      const message = this.closed ? 'the server stopped while this backup ran; its partial files were removed: start it again' : cancelled ? 'cancelled; its partial files were removed' : this.failureText(error, target);
      await progress.flush();
      await store.updateBackup(job.id, { status: cancelled ? 'cancelled' : 'failed', error: message, finishedAt: new Date() });
      await this.deps.audit(job.actor, job.organizationId, cancelled ? 'backup.cancelled' : 'backup.failed', job.databaseId, { backupId: job.id, error: message });
      this.deps.log.warn(`backup ${cancelled ? 'cancelled' : 'failed'}`, { backup: job.id, database: job.databaseId, error: message });
    }
  }

  private async runRestore(job: Extract<Job, { kind: 'restore' }>): Promise<void> {
    const { store, storage } = this.deps;
    const signal = job.controller.signal;
    await store.updateRestore(job.id, { status: 'running', startedAt: new Date() });
    const progress = this.progressWriter((p) => store.updateRestore(job.id, { progress: p }));
    let target: BackupTarget | undefined;
    let copy: Awaited<ReturnType<BackupStorage['localCopy']>> | undefined;
    try {
      const resolved = await this.deps.resolve(job.databaseId);
      target = resolved.target;
      copy = await storage.localCopy(job.backup.databaseId, job.backup.id);
      const report: RestoreReport = await restoreBackup(this.deps.engines[resolved.row.type], target, copy.dir, { tools: this.deps.tools, signal, onProgress: progress.report });
      await progress.flush();
      const status = report.outcome === 'cancelled' && this.closed ? 'failed' : report.outcome;
      await store.updateRestore(job.id, { status, report, finishedAt: new Date(), ...(report.error ? { error: maskSecretsInText(report.error, secretsOf(target)) } : {}) });
      await this.deps.audit(job.actor, job.organizationId, `restore.${report.outcome}`, job.databaseId, { restoreId: job.id, backupId: job.backup.id, restored: report.restored, total: report.total, verified: report.verification?.ok ?? null });
    } catch (error) {
      const cancelled = signal.aborted && !this.closed;
      const message = this.closed ? 'the server stopped while this restore ran' : cancelled ? 'cancelled before anything was restored' : this.failureText(error, target);
      await store.updateRestore(job.id, { status: cancelled ? 'cancelled' : 'failed', error: message, finishedAt: new Date() });
      await this.deps.audit(job.actor, job.organizationId, cancelled ? 'restore.cancelled' : 'restore.failed', job.databaseId, { restoreId: job.id, backupId: job.backup.id, error: message });
    } finally {
      await copy?.release().catch(() => undefined);
      this.deps.onRestored(job.databaseId);
    }
  }

  /** Running jobs are stopped (and recorded as failed: the server went away under them); queued ones too. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const job of this.queue.splice(0)) await this.finishCancelledInQueue(job).catch(() => undefined);
    const pending = [...this.running.values()].map((job) => {
      job.controller.abort();
      return this.done.get(job.id);
    });
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 10_000).unref?.())]);
  }

  get active(): number {
    return this.running.size + this.queue.length;
  }
}

export type { RestoreRow };
