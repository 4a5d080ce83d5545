import * as vscode from 'vscode';
import type { Explorer } from '../explorer';
import { platformSecretPrefix } from '../platform/session';
import { CommandIds } from './ids';
import { registerCommand } from './register';
import { signInFlow } from './session';
import { info, withProgress } from './support';

export const LOCAL_PLATFORM_NAME = 'Local platform';

/**
 * Start Local Platform: the companion server started by the extension (see
 * local-platform/local-platform.ts), then a sign-in to it like any other: the token goes through
 * the Sign In checks into SecretStorage. The token stored for that URL is tried first; a refused or
 * missing one is replaced by a fresh demo token.
 */
async function startLocalPlatform(explorer: Explorer): Promise<void> {
  const started = await withProgress('Starting the local OgelBase platform', (signal, report) => explorer.localPlatform.start(signal, report));
  const { url } = started;
  if (explorer.session.signedIn?.platform.url !== url) {
    const stored = await explorer.vault.get(`${platformSecretPrefix(url)}token`);
    let signedIn = false;
    if (stored) {
      signedIn = await signInFlow(explorer, { url, token: stored, name: LOCAL_PLATFORM_NAME }).catch((error: unknown) => {
        explorer.log.info(`[local-platform] the stored token for ${url} was not accepted (${(error as Error).message}): minting a new one`);
        return false;
      });
    }
    if (!signedIn) await signInFlow(explorer, { url, token: await started.mintToken(), name: LOCAL_PLATFORM_NAME });
  } else {
    info(`The local platform runs on ${url} (${started.description}).`);
  }
  await vscode.commands.executeCommand('ogelbase.explorer.focus');
}

export function registerLocalPlatformCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.startLocalPlatform, explorer.log, () => startLocalPlatform(explorer)),
    registerCommand(CommandIds.stopLocalPlatform, explorer.log, async () => {
      const url = explorer.localPlatform.url;
      if (!(await explorer.localPlatform.stop())) {
        info('No local platform runs in this window.');
        return;
      }
      info(`Stopped the local platform (${url}); its data stays for the next start.`);
    }),
  ];
}
