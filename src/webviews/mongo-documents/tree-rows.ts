import { viewOf, type ValueView } from './ejson-view';

/*
 * The JSON tree view as rows for the virtualized grid (no DOM; unit-tested on Node): each loaded
 * document is a row, and every expanded document, object or array adds its members below it,
 * indented. Paths are JSON arrays ([document index, key, key…]) so a key holding "/" or "." is
 * still one step.
 */

export interface TreeRow {
  /** JSON of [document index, ...keys]: stable across re-flattening, the key of `expanded`. */
  path: string;
  document: number;
  depth: number;
  /** The field name (or array index); for a document row, its _id as text. */
  key: string;
  view: ValueView;
  expanded: boolean;
}

/** At most this many members of one object or array are listed (the editor shows them all). */
export const MAX_CHILDREN = 1000;

export function flattenTree(documents: Record<string, unknown>[], expanded: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const visit = (value: unknown, path: (string | number)[], key: string, depth: number, document: number) => {
    const view = viewOf(value);
    const id = JSON.stringify(path);
    const open = view.children !== undefined && expanded.has(id);
    rows.push({ path: id, document, depth, key, view, expanded: open });
    if (!open) return;
    const children = view.children!;
    for (const [k, v] of children.slice(0, MAX_CHILDREN)) visit(v, [...path, k], k, depth + 1, document);
    if (children.length > MAX_CHILDREN) {
      rows.push({ path: JSON.stringify([...path, '…']), document, depth: depth + 1, key: '…', view: { type: '', text: `${children.length - MAX_CHILDREN} more: open the document to see them all`, tone: 'truncated' }, expanded: false });
    }
  };
  documents.forEach((doc, i) => visit(doc, [i], '_id' in doc ? viewOf(doc._id).text : `document ${i + 1}`, 0, i));
  return rows;
}

/** The path of a field's row: a table cell expanded in the tree opens here. */
export const pathOf = (document: number, ...keys: string[]) => JSON.stringify([document, ...keys]);

/** Every ancestor path of `path` (so showing a field expands what contains it). */
export function ancestors(path: string): string[] {
  const parts = JSON.parse(path) as (string | number)[];
  return parts.slice(1).map((_, i) => JSON.stringify(parts.slice(0, i + 1)));
}
