import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { DatabaseAccess } from '../access/database-access';
import { refName, type DatabaseRef } from '../access/database-ref';
import type { Log } from '../log';
import { RecordCounter } from './record-counter';

export interface ExportRequest {
  /** A query, or a relation. */
  sql?: string;
  schema?: string;
  name?: string;
  format: 'csv' | 'json';
  /** The file name offered in the save dialog. */
  suggestedName: string;
  /** Rows expected (a table's estimate), for the progress bar; null when unknown. */
  expectedRows: number | null;
}

function write(stream: WriteStream, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(chunk, (error) => error && reject(error));
    if (ok) resolve();
    else stream.once('drain', resolve);
  });
}

/**
 * Exports a query's whole result or a whole relation to a file the user picks: streamed from the
 * database (directly, or through the platform's streamed route) into `<file>.part`, renamed once
 * complete, deleted when cancelled or failed; a notification shows rows and size as they arrive,
 * with Cancel (which cancels the statement on the server). Memory stays flat: one chunk at a time.
 */
export async function exportToFile(access: DatabaseAccess, log: Log, ref: DatabaseRef, request: ExportRequest): Promise<vscode.Uri | undefined> {
  const filters: Record<string, string[]> = request.format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] };
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: `Export ${request.sql ? 'the query result' : `${request.schema}.${request.name}`} as ${request.format.toUpperCase()}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, request.suggestedName) : undefined,
    filters,
  });
  if (!target) return undefined;
  const part = `${target.fsPath}.part`;
  const counter = new RecordCounter(request.format);
  const params = request.sql !== undefined ? { sql: request.sql, format: request.format } : { schema: request.schema, name: request.name, format: request.format };
  const started = performance.now();
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Exporting from ${refName(ref)}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      const stream = createWriteStream(part);
      let reported = 0;
      let lastShown = 0;
      try {
        await access.stream(
          ref,
          'exportRows',
          params,
          async (chunk) => {
            counter.add(chunk);
            await write(stream, chunk);
            const now = performance.now();
            if (now - lastShown > 250) {
              lastShown = now;
              const share = request.expectedRows ? Math.min(99, (counter.rows / request.expectedRows) * 100) : undefined;
              progress.report({ message: `${counter.rows.toLocaleString('en-US')} rows, ${(counter.bytes / 1048576).toFixed(1)} MB`, increment: share === undefined ? undefined : share - reported });
              if (share !== undefined) reported = share;
            }
          },
          controller.signal,
        );
        await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
        await rename(part, target.fsPath);
        return 'done' as const;
      } catch (error) {
        stream.destroy();
        await rm(part, { force: true });
        if (controller.signal.aborted) return 'cancelled' as const;
        throw error;
      } finally {
        subscription.dispose();
      }
    },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (outcome === 'cancelled') {
    log.info(`[export] cancelled after ${counter.rows} rows; the partial file was removed`);
    void vscode.window.showInformationMessage(`Export cancelled after ${counter.rows.toLocaleString('en-US')} rows; nothing was kept.`);
    return undefined;
  }
  log.info(`[export] ${counter.rows} rows, ${counter.bytes} bytes in ${seconds} s`);
  void vscode.window.showInformationMessage(`Exported ${counter.rows.toLocaleString('en-US')} rows (${(counter.bytes / 1048576).toFixed(1)} MB) to ${vscode.workspace.asRelativePath(target)} in ${seconds} s.`, 'Open File').then((choice) => {
    if (choice === 'Open File') void vscode.commands.executeCommand('vscode.open', target);
  });
  return target;
}
