import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { BackupsClient } from '../../core/api/backups-client';
import { MANIFEST_FILE } from '../../core/backup/files';
import { mayDo } from '../../core/backup/policy';
import { summarize } from '../../core/backup/summary';
import type { BackupTarget, ToolSettings } from '../../core/backup/types';
import { EngineError } from '../../core/engines/errors';
import { refId, refName, refType, type DatabaseRef } from '../access/database-ref';
import { databaseFor } from '../commands/databases';
import { cancelled, errorMessage, required } from '../commands/support';
import type { Explorer } from '../explorer';
import { bytes } from '../tree/format';
import { backupFolderName } from './format';
import { followBackup } from './platform-jobs';
import { withJobProgress } from './progress';

/** The extension's backup settings (read at each use). */
export function backupSettings(): { tools: ToolSettings; folder: string } {
  const section = vscode.workspace.getConfiguration('ogelbase.backup');
  const postgresBinDir = section.get<string>('postgresBinDir', '').trim();
  return { tools: { where: 'extension', ...(postgresBinDir ? { postgresBinDir } : {}) }, folder: section.get<string>('folder', '').trim() || homedir() };
}

type Where = 'here' | 'platform';
type Layout = { gzip: boolean; archive: boolean };

/** The folder of the last backup made on this machine, per database, in this window: what Restore proposes first. */
const lastLocalBackups = new Map<string, string>();

/** The last backup of `ref` made on this machine in this window, if its folder still holds a manifest. */
export function lastLocalBackup(ref: DatabaseRef): string | undefined {
  const dir = lastLocalBackups.get(refId(ref));
  return dir && existsSync(join(dir, MANIFEST_FILE)) ? dir : undefined;
}

/** Where a backup of this database can go: this machine when it is reachable from here, the platform when the role allows. */
async function destinations(explorer: Explorer, ref: DatabaseRef): Promise<{ direct: BackupTarget | undefined; platform: boolean }> {
  const direct = await explorer.access.directTarget(ref).catch((error: unknown) => {
    explorer.log.info(`[backups] ${refName(ref)} is not backed up from this machine: ${errorMessage(error)}`);
    return undefined;
  });
  return { direct, platform: ref.scope === 'platform' && mayDo(ref.role, 'create') };
}

async function askWhere(explorer: Explorer, ref: DatabaseRef, options: { direct: boolean; platform: boolean }): Promise<Where> {
  const name = refName(ref);
  if (!options.direct && !options.platform) {
    const role = ref.scope === 'platform' ? ref.role : 'local';
    throw new Error(`Backing up ${name} needs the owner, admin or developer role on the platform (yours is ${role}).`);
  }
  if (options.direct !== options.platform) return options.direct ? 'here' : 'platform';
  const items: (vscode.QuickPickItem & { where: Where })[] = [
    { label: '$(cloud-upload) On the platform', description: 'kept by the platform, listed under Backups', detail: 'Works for every database, including those on the private network; older backups are removed after the retention.', where: 'platform' },
    { label: '$(desktop-download) On this machine…', description: 'a folder you choose', detail: `The engine's own files (${refType(ref) === 'postgres' ? 'pg_dump custom format' : refType(ref) === 'redis' ? 'RDB' : 'mongodump layout'}) and a manifest, written by this machine.`, where: 'here' },
  ];
  return required(await explorer.prompts.pick(items, { title: `Back Up ${name}`, placeHolder: 'Where should the backup go?' })).where;
}

async function askLayout(explorer: Explorer, name: string): Promise<Layout> {
  const items: (vscode.QuickPickItem & { layout: Layout })[] = [
    { label: 'Directory layout', description: 'mongodump: dump/<db>/<collection>.bson and .metadata.json', layout: { gzip: false, archive: false } },
    { label: 'Directory layout, gzipped', description: 'mongodump --gzip', layout: { gzip: true, archive: false } },
    { label: 'One archive file', description: 'mongodump --archive', layout: { gzip: false, archive: true } },
    { label: 'One archive file, gzipped', description: 'mongodump --archive --gzip', layout: { gzip: true, archive: true } },
  ];
  return required(await explorer.prompts.pick(items, { title: `Back Up ${name}`, placeHolder: 'Which mongodump layout? (mongorestore reads each)' })).layout;
}

export async function backupDatabase(explorer: Explorer, arg: unknown): Promise<void> {
  const { ref } = await databaseFor(explorer, arg, 'Back Up Database');
  const name = refName(ref);
  const { direct, platform } = await destinations(explorer, ref);
  const where = await askWhere(explorer, ref, { direct: direct !== undefined, platform });
  const layout = refType(ref) === 'mongodb' ? await askLayout(explorer, name) : { gzip: false, archive: false };

  if (where === 'here') {
    const settings = backupSettings();
    const chosen = required(
      await explorer.prompts.saveDialog({
        title: `Back Up ${name}: a new folder for the backup`,
        saveLabel: 'Back Up Here',
        defaultUri: vscode.Uri.file(join(settings.folder, backupFolderName(name))),
      }),
    );
    const target = direct!;
    const engine = explorer.access.engineBackup(refType(ref));
    try {
      const manifest = await withJobProgress(`Backing up ${name}`, (report, signal) =>
        engine.create(target, chosen.fsPath, { id: randomUUID(), ...layout, tools: settings.tools, signal, onProgress: report }),
      );
      lastLocalBackups.set(refId(ref), chosen.fsPath);
      explorer.log.info(`[backups] backed up ${name} to ${chosen.fsPath}: ${summarize(manifest.contents)}, ${manifest.totalBytes} bytes`);
      void vscode.window.showInformationMessage(`Backed up ${name}: ${summarize(manifest.contents)}, ${bytes(manifest.totalBytes)}, to ${chosen.fsPath}`, 'Reveal').then((choice) => {
        if (choice === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', chosen);
      });
    } catch (error) {
      if (error instanceof EngineError && error.code === 'cancelled') {
        explorer.log.info(`[backups] backup of ${name} cancelled; its partial folder was removed`);
        void vscode.window.showInformationMessage(`Backup of ${name} cancelled: nothing was written.`);
        return cancelled();
      }
      throw error;
    }
    return;
  }

  const signedIn = explorer.session.signedIn;
  if (ref.scope !== 'platform' || !signedIn || signedIn.platform.url !== ref.platformUrl) throw new Error(`Sign in to ${ref.scope === 'platform' ? ref.platformUrl : 'the platform'} again to back up ${name}.`);
  const client = new BackupsClient(signedIn.client);
  const final = await withJobProgress(`Backing up ${name} on the platform`, async (report, signal) => followBackup(client, ref.info.id, await client.start(ref.info.id, layout), report, signal));
  explorer.platformTree.refreshBackups(ref.info.id);
  if (final.status === 'completed') {
    explorer.log.info(`[backups] backed up ${name} on the platform (${final.id}): ${final.summary}`);
    void vscode.window.showInformationMessage(`Backed up ${name} on the platform: ${final.summary ?? ''}, ${bytes(final.sizeBytes ?? 0)}.`);
  } else if (final.status === 'cancelled') {
    void vscode.window.showInformationMessage(`Backup of ${name} cancelled: ${final.error ?? 'nothing was kept'}.`);
  } else {
    throw new Error(`The backup of ${name} failed: ${final.error ?? final.status}`);
  }
}
