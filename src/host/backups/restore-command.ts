import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { BackupInfo } from '../../core/api/backups';
import { BackupsClient } from '../../core/api/backups-client';
import { MANIFEST_FILE } from '../../core/backup/files';
import { mayDo, typedConfirmationReason } from '../../core/backup/policy';
import type { BackupTarget, RestorePlan, RestoreReport } from '../../core/backup/types';
import { refName, refReadOnly, refType, type DatabaseRef } from '../access/database-ref';
import { databaseFor } from '../commands/databases';
import { cancelled, errorMessage, required } from '../commands/support';
import type { Explorer } from '../explorer';
import { bytes } from '../tree/format';
import { isItem, type ExplorerNode } from '../tree/nodes';
import { backupSettings, lastLocalBackup } from './backup-command';
import { planText, reportLines } from './format';
import { followRestore } from './platform-jobs';
import { withJobProgress } from './progress';
import { when } from './tree';

type PlatformRef = Extract<DatabaseRef, { scope: 'platform' }>;
type Source = { kind: 'folder'; dir: string; target: BackupTarget } | { kind: 'platform'; backup: BackupInfo; client: BackupsClient; ref: PlatformRef };

function clientFor(explorer: Explorer, ref: PlatformRef): BackupsClient {
  const signedIn = explorer.session.signedIn;
  if (!signedIn || signedIn.platform.url !== ref.platformUrl) throw new Error(`Sign in to ${ref.platformUrl} again to restore ${ref.info.name}.`);
  return new BackupsClient(signedIn.client);
}

async function pickPlatformBackup(explorer: Explorer, ref: PlatformRef, client: BackupsClient): Promise<BackupInfo> {
  const { backups } = await client.list(ref.info.id, { limit: 100, offset: 0 });
  const done = backups.filter((b) => b.status === 'completed');
  if (done.length === 0) throw new Error(`${ref.info.name} has no completed backup on the platform yet: back it up first.`);
  const items = done.map((b) => ({ label: when(b.createdAt), description: `${bytes(b.sizeBytes ?? 0)} · ${b.summary ?? ''}`, detail: `${b.trigger} backup · ${b.id}`, backup: b }));
  return required(await explorer.prompts.pick(items, { title: `Restore ${ref.info.name}`, placeHolder: 'Which backup?' })).backup;
}

/** Where the backup comes from: the backup row the command ran from, a folder on this machine, or a platform backup. */
async function chooseSource(explorer: Explorer, ref: DatabaseRef, node: ExplorerNode | undefined): Promise<Source> {
  const name = refName(ref);
  if (isItem(node, 'backup.item') && ref.scope === 'platform') return { kind: 'platform', backup: node.detail, client: clientFor(explorer, ref), ref };
  const target = await explorer.access.directTarget(ref).catch(() => undefined);
  const platform = ref.scope === 'platform' && mayDo(ref.role, 'restore');
  if (!target && !platform) {
    throw new Error(`Restoring ${name} needs the owner or admin role${ref.scope === 'platform' ? ` (yours is ${ref.role})` : ''}.`);
  }
  let from: 'folder' | 'platform' = target ? 'folder' : 'platform';
  if (target && platform) {
    from = required(
      await explorer.prompts.pick(
        [
          { label: '$(cloud-download) A backup on the platform…', description: 'one listed under Backups', from: 'platform' as const },
          { label: '$(folder-opened) A backup folder on this machine…', description: 'made by Back Up Database or Download', from: 'folder' as const },
        ],
        { title: `Restore ${name}`, placeHolder: 'Restore from?' },
      ),
    ).from;
  }
  if (from === 'platform') {
    const platformRef = ref as PlatformRef;
    const client = clientFor(explorer, platformRef);
    return { kind: 'platform', backup: await pickPlatformBackup(explorer, platformRef, client), client, ref: platformRef };
  }
  const last = lastLocalBackup(ref);
  const chosen = required(
    await explorer.prompts.openDialog({
      title: `Restore ${name}: the backup folder (or its manifest.json)`,
      openLabel: 'Restore From',
      canSelectFolders: true,
      canSelectFiles: true,
      // The backup made from here last, when there is one: usually the one to restore.
      defaultUri: vscode.Uri.file(last ? join(last, MANIFEST_FILE) : backupSettings().folder),
    }),
  );
  const dir = basename(chosen.fsPath) === MANIFEST_FILE ? dirname(chosen.fsPath) : chosen.fsPath;
  return { kind: 'folder', dir, target: target! };
}

/** The pre-check, the plan shown with counts, and the typed name where it is needed. Nothing is touched before this returns. */
async function confirmPlan(explorer: Explorer, ref: DatabaseRef, plan: RestorePlan, source: string): Promise<string | undefined> {
  const name = refName(ref);
  const choice = await explorer.prompts.confirm(`Restore ${name} from ${source}?`, planText(plan), 'Restore');
  if (choice !== 'Restore') cancelled();
  const reason = typedConfirmationReason({ name, readOnly: ref.scope === 'platform' ? ref.info.readOnly : refReadOnly(ref) });
  if (!reason) return undefined;
  return required(
    await explorer.prompts.input({
      title: `Restore ${name}`,
      prompt: `Type ${name} to restore into it (${reason})`,
      placeHolder: name,
      validateInput: (value) => (value === name ? undefined : `Type the database's name exactly: ${name}`),
    }),
  );
}

function showReport(explorer: Explorer, name: string, report: RestoreReport | null, fallback: string): void {
  const lines = report ? reportLines(report) : [fallback];
  for (const line of lines) explorer.log.info(`[backups] restore of ${name}: ${line}`);
  const message = report?.message ?? fallback;
  const show = report?.outcome === 'completed' && report.verification?.ok !== false ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  void show(message, 'Show Report').then((choice) => {
    if (choice === 'Show Report') explorer.log.show(true);
  });
}

export async function restoreDatabase(explorer: Explorer, arg: unknown): Promise<void> {
  const { ref, node } = await databaseFor(explorer, arg, 'Restore Database');
  const name = refName(ref);
  const source = await chooseSource(explorer, ref, node);

  if (source.kind === 'folder') {
    const engine = explorer.access.engineBackup(refType(ref));
    const { tools } = backupSettings();
    const { manifest, plan } = await withJobProgress(`Checking the backup for ${name}`, (report, signal) => engine.precheck(source.target, source.dir, { tools, signal, onProgress: report }));
    await confirmPlan(explorer, ref, plan, `${manifest.database.name} of ${when(manifest.finishedAt)}`);
    const report = await withJobProgress(`Restoring ${name}`, (progress, signal) => engine.restoreFrom(source.target, source.dir, { tools, signal, onProgress: progress }));
    showReport(explorer, name, report, report.message);
    return;
  }

  const { client, backup } = source;
  const plan = await withJobProgress(`Checking the backup for ${name}`, (_report, signal) => client.plan(source.ref.info.id, backup.id, signal));
  const confirm = await confirmPlan(explorer, ref, plan, `the platform backup of ${when(backup.createdAt)}`);
  try {
    const final = await withJobProgress(`Restoring ${name} on the platform`, async (report, signal) => followRestore(client, source.ref.info.id, await client.restore(source.ref.info.id, backup.id, confirm ? { confirm } : {}), report, signal));
    showReport(explorer, name, final.report, final.error ? `The restore of ${name} ${final.status}: ${final.error}` : `The restore of ${name} ${final.status}.`);
  } catch (error) {
    explorer.log.error(`[backups] restore of ${name}: ${errorMessage(error)}`);
    throw error;
  } finally {
    explorer.platformTree.refreshBackups(source.ref.info.id);
  }
}
