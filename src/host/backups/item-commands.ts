import { join } from 'node:path';
import * as vscode from 'vscode';
import { BackupsClient } from '../../core/api/backups-client';
import { summarize } from '../../core/backup/summary';
import { cancelled, asNode, info, required, withProgress } from '../commands/support';
import type { Explorer } from '../explorer';
import { bytes } from '../tree/format';
import { isItem, type ItemNode } from '../tree/nodes';
import { backupSettings } from './backup-command';
import { downloadBackup } from './download';
import { backupFolderName } from './format';
import { withJobProgress } from './progress';
import { when } from './tree';

type BackupNode = ItemNode<'backup.item'>;

/** The backup row a command runs from (these commands are offered on backup rows only). */
function backupNode(arg: unknown, what: string): BackupNode & { ref: { scope: 'platform' } } {
  const node = asNode(arg);
  if (!isItem(node, 'backup.item') || node.ref.scope !== 'platform') throw new Error(`${what} runs from a backup under a database's Backups.`);
  return node as BackupNode & { ref: { scope: 'platform' } };
}

function clientOf(explorer: Explorer, node: ReturnType<typeof backupNode>): BackupsClient {
  const ref = node.ref as Extract<typeof node.ref, { scope: 'platform' }>;
  const signedIn = explorer.session.signedIn;
  if (!signedIn || signedIn.platform.url !== ref.platformUrl) throw new Error(`Sign in to ${ref.platformUrl} again.`);
  return new BackupsClient(signedIn.client);
}

export async function downloadBackupCommand(explorer: Explorer, arg: unknown): Promise<void> {
  const node = backupNode(arg, 'Download Backup');
  const ref = node.ref as Extract<typeof node.ref, { scope: 'platform' }>;
  const backup = node.detail;
  if (backup.status !== 'completed') throw new Error(`This backup is ${backup.status}: only a completed backup can be downloaded.`);
  const parent = required(
    await explorer.prompts.openDialog({ title: `Download the backup of ${ref.info.name} of ${when(backup.createdAt)} into…`, openLabel: 'Download Here', canSelectFolders: true, canSelectFiles: false, defaultUri: vscode.Uri.file(backupSettings().folder) }),
  );
  const finalDir = join(parent.fsPath, backupFolderName(ref.info.name, new Date(backup.createdAt)));
  const client = clientOf(explorer, node);
  try {
    const manifest = await withJobProgress(`Downloading the backup of ${ref.info.name}`, (report, signal) => downloadBackup(client, ref.info.id, backup, finalDir, explorer.access.engineBackup(backup.engine).parseManifest, report, signal));
    explorer.log.info(`[backups] downloaded backup ${backup.id} of ${ref.info.name} to ${finalDir}`);
    void vscode.window.showInformationMessage(`Downloaded the backup of ${ref.info.name} (${summarize(manifest.contents)}, ${bytes(manifest.totalBytes)}) to ${finalDir}; every file matches its manifest.`, 'Reveal').then((choice) => {
      if (choice === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(finalDir));
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'cancelled' || (error as Error).name === 'AbortError') {
      info(`Download cancelled: nothing was kept in ${parent.fsPath}.`);
      return cancelled();
    }
    throw error;
  }
}

export async function deleteBackupCommand(explorer: Explorer, arg: unknown): Promise<void> {
  const node = backupNode(arg, 'Delete Backup');
  const ref = node.ref as Extract<typeof node.ref, { scope: 'platform' }>;
  const b = node.detail;
  const what = b.status === 'completed' ? `${b.summary ?? ''}, ${bytes(b.sizeBytes ?? 0)}` : b.status;
  if ((await explorer.prompts.confirm(`Delete the backup of ${ref.info.name} of ${when(b.createdAt)}?`, `It holds ${what}. Its files are removed from the platform; this cannot be undone.`, 'Delete')) !== 'Delete') cancelled();
  await withProgress('Deleting the backup…', () => clientOf(explorer, node).delete(ref.info.id, b.id));
  explorer.platformTree.refreshBackups(ref.info.id);
  info(`Deleted the backup of ${ref.info.name} of ${when(b.createdAt)}.`);
}

export async function cancelBackupCommand(explorer: Explorer, arg: unknown): Promise<void> {
  const node = backupNode(arg, 'Cancel Backup');
  const ref = node.ref as Extract<typeof node.ref, { scope: 'platform' }>;
  const final = await withProgress('Cancelling the backup…', () => clientOf(explorer, node).cancel(ref.info.id, node.detail.id));
  explorer.platformTree.refreshBackups(ref.info.id);
  info(final.status === 'cancelled' ? `Cancelled the backup of ${ref.info.name}: its partial files were removed.` : `The backup of ${ref.info.name} had already ${final.status}.`);
}
