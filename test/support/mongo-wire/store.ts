/**
 * In-memory databases and collections. Documents stay in insertion order
 * (natural order, like a fresh WiredTiger collection); unique indexes are kept
 * as hash maps so a duplicate insert is rejected in O(1) even at 200k docs.
 */
import { calculateObjectSize, ObjectId, UUID } from 'bson';
import { CommandError, badValue } from './errors';
import { bsonCompare, sortKey, typedOf } from './order';
import { canon, idFirst, isDoc, pathValues, shellFormat, toPlain, type Doc } from './values';
import { resolve } from 'mingo/util';

export interface Rec {
  doc: Doc; // exactly the BSON types the client sent
  plain: Doc; // numbers unwrapped, for mingo
  size: number;
  deleted?: boolean;
}

export interface IndexSpec extends Doc {
  v: number;
  key: Doc;
  name: string;
  unique?: boolean;
}

export class Collection {
  /** Replaced (never spliced) on delete so a live cursor keeps iterating a stable array. */
  recs: Rec[] = [];
  readonly ids = new Map<string, Rec>();
  indexes: IndexSpec[] = [{ v: 2, key: { _id: 1 }, name: '_id_' }];
  private readonly uniq = new Map<string, Map<string, Rec>>();
  dataSize = 0;
  readonly uuid = new UUID();
  /** $indexStats: operations that used each index, since it was built (a mongod counts since its start). */
  readonly usage = new Map<string, { ops: number; since: Date }>([['_id_', { ops: 0, since: new Date() }]]);
  /** Documents in the order of an index, built when a sort first walks it and dropped on any write. */
  private readonly ordered = new Map<string, { recs: Rec[]; multikey: boolean }>();

  constructor(readonly db: Database, public name: string, readonly options: Doc = {}) {}

  get ns(): string {
    return `${this.db.name}.${this.name}`;
  }
  get type(): 'collection' | 'view' | 'timeseries' {
    return this.options.viewOn ? 'view' : this.options.timeseries ? 'timeseries' : 'collection';
  }
  get count(): number {
    return this.ids.size;
  }

  /**
   * Index key of a document; missing fields count as null, as in a MongoDB unique index, except in
   * a sparse index, which leaves out a document that has none of its fields (undefined).
   */
  private keyOf(ix: IndexSpec, plain: Doc): string | undefined {
    const values = Object.keys(ix.key).map((k) => pathValues(plain, k.split('.'))[0]);
    if (ix.sparse && values.every((v) => v === undefined)) return undefined;
    return values.map((v) => canon(v ?? null)).join('|');
  }

  private dupError(ix: IndexSpec, doc: Doc): CommandError {
    const keyValue: Doc = {};
    for (const k of Object.keys(ix.key)) keyValue[k] = pathValues(doc, k.split('.'))[0] ?? null;
    return new CommandError(11000, 'DuplicateKey',
      `E11000 duplicate key error collection: ${this.ns} index: ${ix.name} dup key: ${shellFormat(keyValue)}`,
      { keyPattern: ix.key, keyValue });
  }

  private checkUnique(doc: Doc, plain: Doc, self?: Rec): void {
    const owner = this.ids.get(canon(plain._id));
    if (owner && owner !== self) throw this.dupError(this.indexes[0], doc);
    for (const ix of this.indexes) {
      const key = this.keyOf(ix, plain);
      const other = key === undefined ? undefined : this.uniq.get(ix.name)?.get(key);
      if (other && other !== self) throw this.dupError(ix, doc);
    }
  }

  private link(rec: Rec, on: boolean): void {
    this.ordered.clear();
    if (on) typedOf.set(rec.plain, rec.doc);
    const idKey = canon(rec.plain._id);
    if (on) this.ids.set(idKey, rec);
    else this.ids.delete(idKey);
    for (const ix of this.indexes) {
      const map = this.uniq.get(ix.name);
      const key = this.keyOf(ix, rec.plain);
      if (map && key !== undefined && on) map.set(key, rec);
      else if (map && key !== undefined) map.delete(key);
    }
    this.dataSize += on ? rec.size : -rec.size;
  }

  insert(input: Doc): Rec {
    const doc = idFirst('_id' in input ? input : { _id: new ObjectId(), ...input });
    const ts = this.options.timeseries;
    if (isDoc(ts) && !(doc[String(ts.timeField)] instanceof Date)) {
      throw badValue(`'${String(ts.timeField)}' must be present and contain a valid BSON UTC datetime value`);
    }
    const plain = toPlain(doc) as Doc;
    this.checkUnique(doc, plain);
    const rec: Rec = { doc, plain, size: calculateObjectSize(doc) };
    this.recs.push(rec);
    this.link(rec, true);
    this.trimCapped();
    return rec;
  }

  replace(rec: Rec, doc: Doc): void {
    const plain = toPlain(doc) as Doc;
    this.checkUnique(doc, plain, rec);
    this.link(rec, false);
    Object.assign(rec, { doc: idFirst(doc), plain, size: calculateObjectSize(doc) });
    this.link(rec, true);
  }

  remove(recs: Iterable<Rec>): number {
    let n = 0;
    for (const rec of recs) {
      if (rec.deleted) continue;
      rec.deleted = true;
      this.link(rec, false);
      n++;
    }
    if (n) this.recs = this.recs.filter((r) => !r.deleted);
    return n;
  }

  /** Capped collections drop their oldest documents past `max` docs or `size` bytes. */
  private trimCapped(): void {
    if (!this.options.capped) return;
    const max = Number(toPlain(this.options.max) ?? 0);
    const size = Number(toPlain(this.options.size) ?? 0);
    while (this.count > 1 && ((max > 0 && this.count > max) || (size > 0 && this.dataSize > size))) {
      const oldest = this.recs.shift();
      if (oldest) {
        oldest.deleted = true;
        this.link(oldest, false);
      }
    }
  }

  createIndex(spec: IndexSpec): void {
    if (spec.unique) {
      const map = new Map<string, Rec>();
      for (const rec of this.recs) {
        const key = this.keyOf(spec, rec.plain);
        if (key === undefined) continue;
        if (map.has(key)) throw this.dupError(spec, rec.doc);
        map.set(key, rec);
      }
      this.uniq.set(spec.name, map);
    }
    this.indexes.push(spec);
    this.usage.set(spec.name, { ops: 0, since: new Date() });
  }

  dropIndex(name: string): void {
    this.indexes = this.indexes.filter((ix) => ix.name !== name);
    this.uniq.delete(name);
    this.usage.delete(name);
    this.ordered.delete(name);
  }

  /** Counts one use of an index by a query (what $indexStats reports). */
  used(name: string | undefined): void {
    const u = name === undefined ? undefined : this.usage.get(name);
    if (u) u.ops++;
  }

  /**
   * The documents in the order of an index's key pattern, and whether the index is multikey (some
   * document holds an array on a key: it then sorts by one element, but matches by any).
   */
  inIndexOrder(ix: IndexSpec): { recs: Rec[]; multikey: boolean } {
    let entry = this.ordered.get(ix.name);
    if (!entry) {
      const keys = Object.entries(ix.key).map(([k, d]) => [k, Number(toPlain(d)) < 0 ? -1 : 1] as const);
      let multikey = false;
      const keyed = this.recs.map((rec) => ({
        rec,
        key: keys.map(([k, d]) => {
          const v = resolve(rec.plain, k);
          if (Array.isArray(v)) multikey = true;
          return sortKey(v, d);
        }),
      }));
      keyed.sort((a, b) => {
        for (let i = 0; i < keys.length; i++) {
          const c = bsonCompare(a.key[i], b.key[i]) * keys[i]![1];
          if (c) return c;
        }
        return 0;
      });
      entry = { recs: keyed.map((k) => k.rec), multikey };
      this.ordered.set(ix.name, entry);
    }
    return entry;
  }

  /** Synthetic but self-consistent storage figures (there is no disk). */
  stats(): Doc {
    const indexSizes: Doc = {};
    for (const ix of this.indexes) indexSizes[ix.name] = 4096 + this.count * 16;
    const totalIndexSize = this.indexes.length * (4096 + this.count * 16);
    const storageSize = Math.max(4096, Math.ceil(this.dataSize / 4096) * 4096);
    return {
      ns: this.ns, size: this.dataSize, count: this.count,
      avgObjSize: this.count ? Math.round(this.dataSize / this.count) : 0,
      storageSize, freeStorageSize: 0, capped: Boolean(this.options.capped),
      nindexes: this.indexes.length, indexBuilds: [], totalIndexSize,
      totalSize: storageSize + totalIndexSize, indexSizes, scaleFactor: 1,
      ...(this.options.capped ? { max: toPlain(this.options.max) ?? 0, maxSize: toPlain(this.options.size) } : {}),
    };
  }
}

export class Database {
  readonly colls = new Map<string, Collection>();
  constructor(readonly name: string) {}
}

export class Store {
  readonly dbs = new Map<string, Database>();

  constructor() {
    // What a fresh mongod always has, so listDatabases / listCollections look familiar.
    this.create('admin', 'system.version').insert({ _id: 'featureCompatibilityVersion', version: '7.0' });
    this.create('config', 'system.sessions');
    this.create('local', 'startup_log').insert({ hostname: 'wire-test', startTime: new Date() });
  }

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.colls.get(name);
  }

  create(db: string, name: string, options: Doc = {}): Collection {
    if (!name || name.includes('$') || name.startsWith('.') || name.endsWith('.')) {
      throw new CommandError(73, 'InvalidNamespace', `Invalid collection name: ${name}`);
    }
    let database = this.dbs.get(db);
    if (!database) this.dbs.set(db, (database = new Database(db)));
    if (database.colls.has(name)) {
      throw new CommandError(48, 'NamespaceExists', `Collection ${db}.${name} already exists.`);
    }
    const coll = new Collection(database, name, options);
    database.colls.set(name, coll);
    if (options.viewOn) {
      // mongod keeps view definitions as documents in <db>.system.views.
      const views = this.get(db, 'system.views') ?? this.create(db, 'system.views');
      views.insert({ _id: `${db}.${name}`, viewOn: options.viewOn, pipeline: options.pipeline ?? [] });
    }
    return coll;
  }

  /** Collection for a write; created implicitly like mongod does on first insert. */
  writable(db: string, name: string): Collection {
    return this.get(db, name) ?? this.create(db, name);
  }

  drop(db: string, name: string): boolean {
    const coll = this.get(db, name);
    if (!coll) return false;
    coll.db.colls.delete(name);
    if (coll.type === 'view') {
      const views = this.get(db, 'system.views');
      const def = views?.ids.get(canon(`${db}.${name}`));
      if (views && def) views.remove([def]);
    }
    if (!coll.db.colls.size) this.dbs.delete(db);
    return true;
  }

  rename(from: Collection, toDb: string, toName: string): void {
    this.drop(from.db.name, from.name);
    const target = this.create(toDb, toName, from.options);
    for (const rec of from.recs) target.insert(rec.doc);
    for (const ix of from.indexes.slice(1)) target.createIndex(ix);
  }
}
