import type * as vscode from 'vscode';
import { refType } from '../access/database-ref';
import type { Explorer } from '../explorer';
import { redisKeyBrowser } from '../redis/key-browser';
import { isItem } from '../tree/nodes';
import { CommandIds } from './ids';
import { pickDatabase } from './pickers';
import { registerCommand } from './register';
import { asNode, refOf } from './support';

/** A glob matching `prefix` literally, then anything (`*?[]\` escaped as SCAN MATCH wants). */
export const prefixGlob = (prefix: string) => `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;

/**
 * Open Key Browser: from a Redis key row (a click opens the browser on that key), a namespace row
 * (the browser filtered to that prefix), a Redis database row, or the palette (a database picker
 * listing Redis databases). One panel per database: opening again re-focuses it.
 */
export function registerRedisCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.openKeyBrowser, explorer.log, async (arg) => {
      const node = asNode(arg);
      const ref = refOf(node) ?? (await pickDatabase(explorer, 'Open Key Browser', 'redis'));
      if (refType(ref) !== 'redis') throw new Error('The key browser opens Redis databases.');
      if (isItem(node, 'redis.key')) explorer.inspectors.show(redisKeyBrowser, ref, { key: node.detail.key });
      else if (isItem(node, 'redis.namespace')) explorer.inspectors.show(redisKeyBrowser, ref, { pattern: prefixGlob(node.detail.prefix.name) });
      else explorer.inspectors.show(redisKeyBrowser, ref);
    }),
  ];
}
