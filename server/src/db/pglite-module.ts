import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Pglite from '@electric-sql/pglite';

export type PgliteModule = typeof Pglite;

/**
 * Loads PGlite: the installed package, or the copy in `packageDir` (PGLITE_PACKAGE_DIR). The
 * extension's "Start Local Platform" runs the bundled server from the .vsix, which cannot carry
 * PGlite's ~5 MB of WebAssembly; it downloads the exact version the server was built with into
 * VS Code's storage, checks its integrity, and points the server at it.
 */
export function loadPglite(packageDir?: string): Promise<PgliteModule> {
  if (packageDir) return import(pathToFileURL(join(packageDir, 'dist', 'index.js')).href) as Promise<PgliteModule>;
  return import('@electric-sql/pglite');
}
