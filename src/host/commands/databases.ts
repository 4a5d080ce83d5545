import * as vscode from 'vscode';
import type { UpdateDatabaseRequest } from '../../core/api/types';
import { ENGINE_LABEL } from '../../core/connection-strings';
import { refName, refType, refWritable, type DatabaseRef } from '../access/database-ref';
import type { Explorer } from '../explorer';
import type { ExplorerNode } from '../tree/nodes';
import { CommandIds } from './ids';
import { pickDatabase } from './pickers';
import { askConnectionString, askDescription, askName, askReadOnly, localTester, platformTester, testBeforeSaving } from './questions';
import { registerCommand } from './register';
import { asNode, cancelled, describeProbe, errorMessage, info, refOf, required, showFailure, treeOf, withProgress } from './support';

/** The database a command acts on: the row it was run from, or one the user picks. */
export async function databaseFor(explorer: Explorer, arg: unknown, title: string): Promise<{ ref: DatabaseRef; node: ExplorerNode | undefined }> {
  const node = asNode(arg);
  const ref = refOf(node);
  return ref ? { ref, node } : { ref: await pickDatabase(explorer, title), node: undefined };
}

function requireWritable(ref: DatabaseRef, doing: string): void {
  if (!refWritable(ref)) throw new Error(`${doing} ${refName(ref)} needs the owner, admin or developer role; yours is read_only.`);
}

/** Refreshes what shows the database: its parent row when the tree knows it, else the whole tree. */
function refreshAround(explorer: Explorer, ref: DatabaseRef, node: ExplorerNode | undefined): void {
  if (!node) {
    (ref.scope === 'local' ? explorer.localTree : explorer.platformTree).refresh();
    return;
  }
  const tree = treeOf(explorer, node);
  tree.refresh(tree.getParent(node));
}

type Field = 'name' | 'description' | 'connectionString' | 'readOnly';

async function editDatabase(explorer: Explorer, arg: unknown): Promise<void> {
  const { ref, node } = await databaseFor(explorer, arg, 'Edit Database');
  requireWritable(ref, 'Editing');
  const name = refName(ref);
  const type = refType(ref);
  const current = ref.scope === 'platform'
    ? { description: ref.info.description, masked: ref.info.connectionString, readOnly: ref.info.readOnly }
    : { description: ref.local.description, masked: ref.local.masked, readOnly: ref.local.readOnly };
  const title = `Edit ${name}`;
  const items: (vscode.QuickPickItem & { field: Field })[] = [
    { label: 'Name', description: name, field: 'name' },
    { label: 'Description', description: current.description ?? '(none)', field: 'description' },
    { label: 'Connection String', description: current.masked, detail: 'checked as you type and tested before it is saved', field: 'connectionString' },
    { label: 'Read-only', description: current.readOnly ? 'yes' : 'no', field: 'readOnly' },
  ];
  const field = required(await explorer.prompts.pick(items, { title, placeHolder: `What to change in ${name}?` })).field;

  const changes: UpdateDatabaseRequest = {};
  let done: string;
  if (field === 'name') {
    const taken = ref.scope === 'local' ? (n: string) => explorer.local.list().some((c) => c.id !== ref.local.id && c.name.toLowerCase() === n.toLowerCase()) : undefined;
    changes.name = await askName(explorer, title, { value: name, taken });
    if (changes.name === name) cancelled();
    done = `Renamed ${name} to ${changes.name}.`;
  } else if (field === 'description') {
    changes.description = await askDescription(explorer, title, current.description);
    done = `Updated the description of ${name}.`;
  } else if (field === 'readOnly') {
    changes.readOnly = await askReadOnly(explorer, title, current.readOnly);
    done = changes.readOnly ? `${name} is now read-only.` : `${name} may now be changed from the explorer.`;
  } else {
    const typed = await askConnectionString(explorer, title, type);
    const tester = ref.scope === 'local' ? localTester(explorer, type) : platformTester(explorer, type);
    const where = ref.scope === 'local' ? 'from this machine' : `from ${explorer.session.signedIn?.platform.name ?? 'the platform'}`;
    const { connectionString, result } = await testBeforeSaving(explorer, { name, type, title, where }, typed, tester);
    changes.connectionString = connectionString;
    done = `Updated the connection string of ${name} (${result ? describeProbe(type, result) : 'not reachable when tested'}).`;
  }

  if (ref.scope === 'platform') {
    const signedIn = explorer.session.signedIn;
    if (!signedIn || signedIn.platform.url !== ref.platformUrl) throw new Error(`Sign in to ${ref.platformUrl} again to edit ${name}.`);
    await withProgress(`Saving ${name}…`, () => signedIn.client.updateDatabase(ref.info.id, changes));
  } else {
    await explorer.local.update(ref.local.id, changes);
  }
  await explorer.access.forget(ref);
  explorer.log.info(`[commands] edited ${name}: ${field}`);
  refreshAround(explorer, ref, node);
  info(done);
}

async function removeDatabase(explorer: Explorer, arg: unknown): Promise<void> {
  const { ref, node } = await databaseFor(explorer, arg, 'Remove Database');
  requireWritable(ref, 'Removing');
  const name = refName(ref);
  const question = ref.scope === 'platform' ? `Remove database '${name}' from project ${ref.info.projectRef}?` : `Remove local connection '${name}'?`;
  const detail = 'The database itself and its data are not touched; its record and stored connection string are.';
  if ((await explorer.prompts.confirm(question, detail, 'Remove')) !== 'Remove') cancelled();
  if (ref.scope === 'platform') {
    const signedIn = explorer.session.signedIn;
    if (!signedIn || signedIn.platform.url !== ref.platformUrl) throw new Error(`Sign in to ${ref.platformUrl} again to remove ${name}.`);
    await withProgress(`Removing ${name}…`, () => signedIn.client.deleteDatabase(ref.info.id));
  } else {
    await explorer.local.remove(ref.local.id);
  }
  await explorer.access.forget(ref);
  explorer.log.info(`[commands] removed ${name}`);
  refreshAround(explorer, ref, node);
  info(ref.scope === 'platform' ? `Removed ${name} from ${ref.info.projectRef}.` : `Removed local connection ${name}.`);
}

async function testConnection(explorer: Explorer, arg: unknown): Promise<void> {
  const { ref } = await databaseFor(explorer, arg, 'Test Connection');
  const name = refName(ref);
  let failure: string;
  try {
    const result = await withProgress(`Testing ${name}…`, (signal) => explorer.access.testConnection(ref, signal));
    const how = result.path === 'platform' ? 'through the platform' : 'directly';
    if (result.ok) {
      explorer.log.info(`[commands] ${name}: connected in ${result.latency} ms ${how}`);
      info(`${name}: connected in ${result.latency} ms (${ENGINE_LABEL[refType(ref)]}${result.serverVersion ? ` ${result.serverVersion}` : ''}, ${how})`);
      return;
    }
    failure = `${result.error?.message ?? 'the connection failed'} (${how})`;
  } catch (error) {
    if (error instanceof vscode.CancellationError) throw error;
    failure = errorMessage(error);
  }
  showFailure(explorer, `${name}: ${failure}`);
}

export function registerDatabaseCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.editDatabase, explorer.log, (arg) => editDatabase(explorer, arg)),
    registerCommand(CommandIds.removeDatabase, explorer.log, (arg) => removeDatabase(explorer, arg)),
    registerCommand(CommandIds.testConnection, explorer.log, (arg) => testConnection(explorer, arg)),
  ];
}
