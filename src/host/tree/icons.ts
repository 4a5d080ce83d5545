import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EngineType } from '../../core/api/types';

/**
 * Engine icons: media/engines/<engine>-{light,dark}.svg (the brand shapes, tinted for each theme
 * kind), next to dist/ where this code is bundled. If the files are missing (a broken package),
 * the row falls back to a codicon rather than showing a blank.
 */
const mediaDir = join(__dirname, '..', 'media', 'engines');
const engineIcons = new Map<EngineType, vscode.IconPath>();

export function engineIcon(engine: EngineType): vscode.IconPath {
  let icon = engineIcons.get(engine);
  if (!icon) {
    const light = join(mediaDir, `${engine}-light.svg`);
    const dark = join(mediaDir, `${engine}-dark.svg`);
    icon = existsSync(light) && existsSync(dark) ? { light: vscode.Uri.file(light), dark: vscode.Uri.file(dark) } : new vscode.ThemeIcon('database');
    engineIcons.set(engine, icon);
  }
  return icon;
}

/** A codicon, optionally in a theme colour. */
export const codicon = (id: string, color?: string) => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);

/** Codicons of the rows, by what they show. */
export const Icons = {
  organization: 'organization',
  project: 'project',
  loadMore: 'ellipsis',
  message: 'info',
  error: 'error',
  schema: 'symbol-namespace',
  relation: { table: 'table', view: 'eye', materialized_view: 'layers', foreign_table: 'link-external', partitioned_table: 'split-horizontal' } as Record<string, string>,
  primaryKey: 'key',
  foreignKey: 'references',
  column: 'symbol-field',
  namespace: 'folder',
  redisType: {
    string: 'symbol-string',
    hash: 'symbol-object',
    list: 'list-ordered',
    set: 'symbol-array',
    zset: 'sort-precedence',
    stream: 'pulse',
    json: 'json',
  } as Record<string, string>,
  redisOther: 'symbol-misc',
  mongoDatabase: 'database',
  systemDatabases: 'library',
  collection: { collection: 'files', view: 'eye', timeseries: 'graph-line' } as Record<string, string>,
  index: 'list-tree',
} as const;
