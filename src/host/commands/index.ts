import type * as vscode from 'vscode';
import type { Explorer } from '../explorer';
import { registerBackupCommands } from '../backups/commands';
import { registerMongoCommands } from '../mongodb/commands';
import { registerCatalogCommands } from './catalog';
import { registerConnectionStringCommands } from './connection-string';
import { registerDatabaseCommands } from './databases';
import { registerHealthCommands } from './health';
import { registerLocalPlatformCommands } from './local-platform';
import { registerRedisCommands } from './redis';
import { registerTreeCommands, registerWorkbenchCommands } from './misc';
import { registerPostgresCommands } from './postgres';
import { registerRedisKeyCommands } from './redis-keys';
import { registerSessionCommands } from './session';
import { registerWizardCommands } from './wizard';

/**
 * Registers every command of `CommandIds`, each through `registerCommand` (failures logged and shown
 * briefly with "Show Log", cancellation silent). Run from the palette a command asks for what it
 * needs; run from a tree row it receives the row's node as its first argument.
 */
export function registerCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    ...registerSessionCommands(explorer),
    ...registerLocalPlatformCommands(explorer),
    ...registerTreeCommands(explorer),
    ...registerWizardCommands(explorer),
    ...registerDatabaseCommands(explorer),
    ...registerConnectionStringCommands(explorer),
    ...registerHealthCommands(explorer),
    ...registerRedisKeyCommands(explorer),
    ...registerCatalogCommands(explorer),
    ...registerWorkbenchCommands(explorer),
    ...registerPostgresCommands(explorer),
    ...registerBackupCommands(explorer),
    ...registerMongoCommands(explorer),
    ...registerRedisCommands(explorer),
  ];
}
