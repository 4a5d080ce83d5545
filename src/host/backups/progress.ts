import * as vscode from 'vscode';
import type { BackupProgress } from '../../core/backup/types';
import { fractionDone, progressText } from './format';

export type Report = (progress: BackupProgress | string) => void;

/**
 * A notification with a progress bar, the counts and bytes done so far, and Cancel. Unlike a plain
 * request, a backup or restore must clean up (remove its partial folder, write its report) before
 * the command ends, so Cancel aborts the work and this waits for it to return or throw.
 */
export function withJobProgress<T>(title: string, work: (report: Report, signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      let lastMessage = '';
      let lastAt = 0;
      const report: Report = (p) => {
        const message = typeof p === 'string' ? p : progressText(p);
        const fraction = typeof p === 'string' ? undefined : fractionDone(p);
        const increment = fraction === undefined ? undefined : Math.max(0, Math.round(fraction * 100) - reported);
        // Notifications redraw on every report: a few per second are enough.
        if (message === lastMessage && !increment) return;
        if (Date.now() - lastAt < 200 && !increment) return;
        lastAt = Date.now();
        lastMessage = message;
        if (increment) reported += increment;
        progress.report({ message, ...(increment ? { increment } : {}) });
      };
      try {
        return await work(report, controller.signal);
      } finally {
        subscription.dispose();
      }
    }),
  );
}
