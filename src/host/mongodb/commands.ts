import type * as vscode from 'vscode';
import type { MongoOperations } from '../../core/engines/mongodb/operations';
import type { DocTarget } from '../../webviews/protocol/mongo-documents';
import { refName, refType, type DatabaseRef } from '../access/database-ref';
import { CommandIds } from '../commands/ids';
import { pickDatabase } from '../commands/pickers';
import { registerCommand } from '../commands/register';
import { asNode, required, withProgress } from '../commands/support';
import type { Explorer } from '../explorer';
import { isItem } from '../tree/nodes';

/** mongod's own databases: listed last in the palette, never chosen for the user. */
const SYSTEM_DATABASES = new Set(['admin', 'config', 'local']);

/**
 * The database and collection to open, asked in the palette the way the tree shows them: the
 * databases of the server (system ones last), then the collections, views and time-series
 * collections of the chosen one, with their kind.
 */
async function pickNamespace(explorer: Explorer, ref: DatabaseRef): Promise<DocTarget> {
  const call = explorer.access.operations<MongoOperations>(ref);
  const databases = await withProgress(`Listing the databases of ${refName(ref)}`, (signal) => call('listDatabases', {}, signal));
  const ordered = [...databases].sort((a, b) => Number(SYSTEM_DATABASES.has(a.name)) - Number(SYSTEM_DATABASES.has(b.name)));
  const db = required(
    await explorer.prompts.pick(
      ordered.map((d) => ({ label: d.name, description: SYSTEM_DATABASES.has(d.name) ? 'system' : d.empty ? 'empty' : undefined, value: d.name })),
      { title: `Browse Documents: database of ${refName(ref)}`, placeHolder: 'Which database?' },
    ),
  ).value;
  const { collections } = await withProgress(`Listing the collections of ${db}`, (signal) => call('listCollections', { db }, signal));
  if (collections.length === 0) return { db };
  const collection = required(
    await explorer.prompts.pick(
      collections.map((c) => ({
        label: c.name,
        description: c.type === 'view' ? `view on ${c.viewOn ?? '?'}` : c.type === 'timeseries' ? 'time series' : c.capped ? 'capped' : c.estimatedCount === undefined ? undefined : `~${c.estimatedCount.toLocaleString('en-US')} documents`,
        value: c.name,
      })),
      { title: `Browse Documents: collection of ${db}`, placeHolder: 'Which collection?' },
    ),
  ).value;
  return { db, collection };
}

/**
 * Browse Documents: from a collection row (a click), a MongoDB database row or a server row of the
 * tree, or from the palette (database, then database name and collection). One panel per
 * database: opening another collection of it re-focuses the panel on that collection.
 */
export function registerMongoCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.browseDocuments, explorer.log, async (arg) => {
      const node = asNode(arg);
      let ref: DatabaseRef;
      let target: DocTarget | undefined;
      if (isItem(node, 'mongodb.collection')) [ref, target] = [node.ref, { db: node.detail.db, collection: node.detail.name }];
      else if (isItem(node, 'mongodb.database')) [ref, target] = [node.ref, { db: node.detail.name }];
      else if (node?.kind === 'database' && refType(node.ref) === 'mongodb') ref = node.ref;
      else {
        ref = await pickDatabase(explorer, 'Browse Documents', 'mongodb');
        target = await pickNamespace(explorer, ref);
      }
      explorer.inspectors.show(explorer.documentBrowser, ref, target);
    }),
  ];
}
