import type { BackupContents } from './manifest';

const n = (value: number) => new Intl.NumberFormat('en-US').format(value);
/** `1 table`, `2,000 keys`: a count with thousands separators and its noun. */
export const plural = (value: number, one: string, many = `${one}s`) => `${n(value)} ${value === 1 ? one : many}`;

/** One line of what a backup holds: `12 tables, 2,000,000 rows`, `1,000,000 keys`, `3 collections, 200,000 documents`. */
export function summarize(contents: BackupContents): string {
  switch (contents.engine) {
    case 'postgres': {
      const rows = contents.tables.reduce((sum, t) => sum + (t.rows ?? 0), 0);
      return `${plural(contents.tables.length, 'table')}, ${plural(rows, 'row')}`;
    }
    case 'redis':
      return `${plural(contents.keys, 'key')}${contents.topology === 'cluster' ? ` on ${plural(contents.nodes.length, 'master')}` : ''}`;
    case 'mongodb': {
      const collections = contents.databases.flatMap((d) => d.collections);
      const documents = collections.reduce((sum, c) => sum + c.documents, 0);
      return `${plural(collections.length, 'collection')}, ${plural(documents, 'document')}`;
    }
  }
}
