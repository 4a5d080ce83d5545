import type * as vscode from 'vscode';
import { QueryTextSchema, SavedViewSchema, type QueryText, type SavedView } from '../../webviews/protocol/mongo-documents';
import type { DatabaseRef } from '../access/database-ref';
import { refKey } from '../webviews/persisted-ref';

const HISTORY_SIZE = 20;

const isBlank = (q: QueryText) => !q.filter.trim() && !q.projection.trim() && !q.sort.trim() && q.skip === 0 && q.limit === 0;
const same = (a: QueryText, b: QueryText) => a.filter === b.filter && a.projection === b.projection && a.sort === b.sort && a.skip === b.skip && a.limit === b.limit;

/**
 * What the document browser remembers across panels and windows, in globalState (never secrets:
 * query text and a view's layout): the recent queries of each collection, newest first, and each
 * database's last view, so a closed panel reopens where it was. Entries read back are validated:
 * globalState is ours, but an older version may have written another shape.
 */
export class DocumentBrowserMemory {
  constructor(private readonly state: vscode.Memento) {}

  private historyKey(ref: DatabaseRef, db: string, collection: string) {
    return `ogelbase.mongo.history:${refKey(ref)}:${db}.${collection}`;
  }

  history(ref: DatabaseRef, db: string, collection: string): QueryText[] {
    const raw = this.state.get<unknown[]>(this.historyKey(ref, db, collection), []);
    return (Array.isArray(raw) ? raw : []).flatMap((entry) => {
      const parsed = QueryTextSchema.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async remember(ref: DatabaseRef, db: string, collection: string, query: QueryText): Promise<void> {
    if (isBlank(query)) return;
    const entries = [query, ...this.history(ref, db, collection).filter((q) => !same(q, query))].slice(0, HISTORY_SIZE);
    await this.state.update(this.historyKey(ref, db, collection), entries);
  }

  lastView(ref: DatabaseRef): SavedView | undefined {
    const parsed = SavedViewSchema.safeParse(this.state.get(`ogelbase.mongo.view:${refKey(ref)}`));
    return parsed.success ? parsed.data : undefined;
  }

  async saveView(ref: DatabaseRef, view: SavedView): Promise<void> {
    await this.state.update(`ogelbase.mongo.view:${refKey(ref)}`, view);
  }
}
