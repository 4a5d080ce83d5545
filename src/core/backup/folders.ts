import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The hidden sibling a backup is written into before it gets its name. */
export const stagingName = (finalDir: string) => join(dirname(finalDir), `.${basename(finalDir)}.partial-${randomBytes(4).toString('hex')}`);

/**
 * Replaces `finalDir` by `staged` (a folder on the same file system): the old one, if any, is
 * moved aside first and removed after, so a reader sees either the old backup or the new one.
 */
export async function commitFolder(staged: string, finalDir: string): Promise<void> {
  const old = (await stat(finalDir).catch(() => undefined)) ? `${stagingName(finalDir)}.old` : undefined;
  if (old) await rename(finalDir, old);
  try {
    await rename(staged, finalDir);
  } catch (error) {
    if (old) await rename(old, finalDir).catch(() => undefined);
    throw error;
  }
  if (old) await rm(old, { recursive: true, force: true });
}

