import * as vscode from 'vscode';
import { refName } from '../access/database-ref';
import type { Explorer } from '../explorer';
import { localSecretKey } from '../local/local-connection';
import { CommandIds } from './ids';
import { databaseFor } from './databases';
import { registerCommand } from './register';
import { cancelled, info, required, withProgress } from './support';

/**
 * Copy Connection String: masked by default; the plaintext only on request, after a confirmation,
 * and on a platform only for owners and admins (the platform records every reveal in its audit log).
 * The plaintext goes to the clipboard and nowhere else: not to the log, not to a message.
 */
async function copyConnectionString(explorer: Explorer, arg: unknown): Promise<void> {
  const { ref } = await databaseFor(explorer, arg, 'Copy Connection String');
  const name = refName(ref);
  const masked = ref.scope === 'platform' ? ref.info.connectionString : ref.local.masked;
  const items = [
    { label: 'Copy masked', description: masked, reveal: false },
    {
      label: 'Reveal and copy',
      description: 'with the password',
      detail: ref.scope === 'platform' ? 'owners and admins only; recorded in the platform audit log' : 'from VS Code secret storage',
      reveal: true,
    },
  ];
  const { reveal } = required(await explorer.prompts.pick(items, { title: `Copy Connection String of ${name}`, placeHolder: 'Copy it masked, or with the password?' }));
  if (!reveal) {
    await vscode.env.clipboard.writeText(masked);
    info(`Copied the connection string of ${name} (password masked).`);
    return;
  }

  let plaintext: string;
  if (ref.scope === 'platform') {
    if (ref.role !== 'owner' && ref.role !== 'admin') {
      throw new Error(`Revealing the connection string of ${name} needs the owner or admin role; yours in ${ref.organizationSlug} is ${ref.role}. Copy it masked instead.`);
    }
    const signedIn = explorer.session.signedIn;
    if (!signedIn || signedIn.platform.url !== ref.platformUrl) throw new Error(`Sign in to ${ref.platformUrl} again to reveal ${name}.`);
    const confirmed = await explorer.prompts.confirm(
      `Reveal the connection string of ${name}?`,
      `The platform records this reveal in its audit log (who, when, which database). The connection string, password included, goes to the clipboard.`,
      'Reveal and Copy',
    );
    if (confirmed !== 'Reveal and Copy') cancelled();
    plaintext = await withProgress(`Revealing ${name}…`, () => signedIn.client.reveal(ref.info.id));
  } else {
    const confirmed = await explorer.prompts.confirm(
      `Copy the connection string of ${name} with its password?`,
      'The connection string, password included, goes to the clipboard.',
      'Copy with Password',
    );
    if (confirmed !== 'Copy with Password') cancelled();
    const stored = await explorer.vault.get(localSecretKey(ref.local.id));
    if (!stored) throw new Error(`The connection string of ${name} is missing from secret storage: edit the connection to enter it again.`);
    plaintext = stored;
  }
  await vscode.env.clipboard.writeText(plaintext);
  explorer.log.info(`[commands] copied the revealed connection string of ${name}`);
  info(`Copied the connection string of ${name} with its password: paste it only where it is safe.`);
}

export function registerConnectionStringCommands(explorer: Explorer): vscode.Disposable[] {
  return [registerCommand(CommandIds.copyConnectionString, explorer.log, (arg) => copyConnectionString(explorer, arg))];
}
