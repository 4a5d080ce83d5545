import type { BackupProgress, PlanSection, RestorePlan, RestoreReport } from '../../core/backup/types';
import { bytes, count } from '../tree/format';

const phases: Record<BackupProgress['phase'], string> = {
  preparing: 'Preparing',
  dumping: 'Backing up',
  checking: 'Checking',
  restoring: 'Restoring',
  indexes: 'Building indexes',
  verifying: 'Verifying',
  downloading: 'Downloading',
};

/** `Backing up: 12 of 40 tables · 1.2 MB (public.orders)` */
export function progressText(p: BackupProgress): string {
  const of = p.total !== undefined ? `${count(p.done)} of ${count(p.total)} ${p.unit}` : `${count(p.done)} ${p.unit}`;
  const size = p.totalBytes ? `${bytes(p.bytes)} of ${bytes(p.totalBytes)}` : bytes(p.bytes);
  const showCount = p.done > 0 || p.total !== undefined;
  return `${phases[p.phase]}: ${[showCount ? of : undefined, size].filter(Boolean).join(' · ')}${p.current ? ` (${p.current})` : ''}`;
}

/** The fraction done (0..1) for a progress bar, when it can be known. */
export function fractionDone(p: BackupProgress): number | undefined {
  if (p.total && p.total > 0) return Math.min(1, p.done / p.total);
  if (p.totalBytes && p.totalBytes > 0) return Math.min(1, p.bytes / p.totalBytes);
  return undefined;
}

const singular: Record<RestorePlan['unit'], string> = { tables: 'table', keys: 'key', collections: 'collection' };
const what = (unit: RestorePlan['unit'], n: number) => `${count(n)} ${n === 1 ? singular[unit] : unit}`;
const rowsWord: Record<RestorePlan['unit'], string> = { tables: 'rows', keys: 'keys', collections: 'documents' };

function lines(section: PlanSection, unit: RestorePlan['unit'], show: (item: PlanSection['items'][number]) => string): string[] {
  const shown = section.items.slice(0, 8).map((item) => `  • ${show(item)}`);
  if (section.count > shown.length && section.items.length > 0) shown.push(`  • … and ${count(section.count - shown.length)} more`);
  return shown;
}

/**
 * The pre-check as the confirmation's detail: what is overwritten (with what is there now and what
 * the backup brings), added and left alone, with counts, then the notes.
 */
export function planText(plan: RestorePlan): string {
  const u = plan.unit;
  const r = rowsWord[u];
  const redis = plan.engine === 'redis';
  const out: string[] = [];
  out.push(`Overwritten: ${what(u, plan.overwrite.count)}`);
  out.push(
    ...lines(plan.overwrite, u, (i) =>
      redis ? `${count(i.inBackup ?? 0)} ${i.name}` : `${i.name}: ${i.now === undefined ? '?' : count(i.now)} ${r} now → ${i.inBackup === undefined ? '?' : count(i.inBackup)} from the backup`,
    ),
  );
  out.push(`Added: ${what(u, plan.add.count)}`);
  out.push(...lines(plan.add, u, (i) => (redis ? `${count(i.inBackup ?? 0)} ${i.name}` : `${i.name}: ${i.inBackup === undefined ? '?' : count(i.inBackup)} ${r}`)));
  out.push(`Left alone: ${what(u, plan.leaveAlone.count)}`);
  if (!redis) out.push(...lines(plan.leaveAlone, u, (i) => `${i.name}${i.now === undefined ? '' : ` (${count(i.now)} ${r})`}`));
  out.push('', ...plan.notes);
  return out.join('\n');
}

/** A report as lines for the log: the outcome, then item by item. */
export function reportLines(report: RestoreReport): string[] {
  const out = [`${report.outcome}: ${report.message}`];
  for (const item of report.items.slice(0, 200)) out.push(`  ${item.state.padEnd(11)} ${item.name}: ${count(item.restored)}${item.expected === undefined ? '' : ` of ${count(item.expected)}`}`);
  for (const m of report.verification?.mismatches ?? []) out.push(`  MISMATCH ${m.name}: ${count(m.found)} found, ${count(m.expected)} in the backup`);
  if (report.error) out.push(`  error: ${report.error}`);
  return out;
}

/** `orders-20250102-030405`: a folder name for a new backup. */
export function backupFolderName(database: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${database.replace(/[^A-Za-z0-9._-]/g, '_')}-${stamp}`;
}
