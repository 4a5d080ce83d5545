import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EngineError } from '../engines/errors';

/** At most this long: a mongodump file name is at most 255 bytes, plus `dump/<db>/`. */
const MAX_PATH = 512;

/**
 * Why a path inside a backup (a manifest's file, a download's `file`) is refused, or undefined when
 * it is a plain relative path: forward slashes only, no `.`/`..` segment, no empty segment, nothing
 * absolute, no backslash, no control character, no NUL. Names come from manifests (untrusted once a
 * backup left the machine) and from request parameters.
 */
export function unsafePathReason(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'the path is empty';
  if (path.length > MAX_PATH) return `the path is longer than ${MAX_PATH} characters`;
  // eslint-disable-next-line no-control-regex -- exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the path holds a control character';
  if (path.includes('\\')) return 'the path holds a backslash';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || isAbsolute(path)) return 'the path is absolute';
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) return 'the path climbs out of the backup (`..`)';
  if (segments.some((s) => s === '' || s === '.')) return 'the path has an empty or `.` segment';
  return undefined;
}

/** The path, or an `invalid_input` EngineError that names why it is refused. */
export function safeRelativePath(path: string, what = 'file'): string {
  const reason = unsafePathReason(path);
  if (reason) throw new EngineError('invalid_input', `${what} ${JSON.stringify(String(path).slice(0, 80))} is refused: ${reason}`);
  return path;
}

/** `root/path` after checking that the result stays inside `root` (a second guard behind safeRelativePath). */
export function inside(root: string, path: string): string {
  const full = resolve(join(root, safeRelativePath(path)));
  const rel = relative(resolve(root), full);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) throw new EngineError('invalid_input', `file ${JSON.stringify(path)} lies outside the backup`);
  return full;
}

/** Backup and job ids are UUIDs: anything else (`../x`, `%2e%2e`) is refused before it reaches a path. */
export const BACKUP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function checkBackupId(id: string): string {
  if (!BACKUP_ID.test(id)) throw new EngineError('invalid_input', `backup id ${JSON.stringify(String(id).slice(0, 80))} is refused: ids are UUIDs`);
  return id;
}
