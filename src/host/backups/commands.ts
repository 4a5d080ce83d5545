import type * as vscode from 'vscode';
import { CommandIds } from '../commands/ids';
import { registerCommand } from '../commands/register';
import type { Explorer } from '../explorer';
import { backupDatabase } from './backup-command';
import { cancelBackupCommand, deleteBackupCommand, downloadBackupCommand } from './item-commands';
import { restoreDatabase } from './restore-command';

/** Back Up Database and Restore Database (palette, database rows, the Backups rows), and the commands of each backup row. */
export function registerBackupCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.backupDatabase, explorer.log, (arg) => backupDatabase(explorer, arg)),
    registerCommand(CommandIds.restoreDatabase, explorer.log, (arg) => restoreDatabase(explorer, arg)),
    registerCommand(CommandIds.downloadBackup, explorer.log, (arg) => downloadBackupCommand(explorer, arg)),
    registerCommand(CommandIds.deleteBackup, explorer.log, (arg) => deleteBackupCommand(explorer, arg)),
    registerCommand(CommandIds.cancelBackup, explorer.log, (arg) => cancelBackupCommand(explorer, arg)),
  ];
}
