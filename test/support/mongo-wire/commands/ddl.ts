/**
 * Namespace and index management: create/drop/rename, listCollections and
 * the index commands.
 */
import { Clock, type Ctx, type Handler } from '../context';
import { CommandError, badValue, nsNotFound, viewWrite } from '../errors';
import { matcher } from '../engine';
import type { Collection, IndexSpec } from '../store';
import { bool, canon, isDoc, num, toPlain, type Doc } from '../values';

/** A collection that must exist and must not be a view (index commands, rename). */
function realCollection(ctx: Ctx, name: unknown): Collection {
  const coll = ctx.server.store.get(ctx.db, String(name));
  if (!coll) throw nsNotFound(`ns does not exist: ${ctx.db}.${String(name)}`);
  if (coll.type === 'view') throw viewWrite(coll.ns);
  return coll;
}

/** Collection options mongod stores and answers back unchanged (besides view, time-series and capped ones). */
const KEPT_OPTIONS = ['validator', 'validationLevel', 'validationAction', 'collation', 'expireAfterSeconds', 'clusteredIndex', 'changeStreamPreAndPostImages', 'storageEngine', 'indexOptionDefaults'];

const create: Handler = (cmd, { server, db }) => {
  const { create: name, viewOn, pipeline, timeseries, capped, size, max } = cmd;
  const options: Doc = {};
  if (viewOn !== undefined) {
    if (typeof viewOn !== 'string' || !Array.isArray(pipeline ?? [])) throw badValue("'viewOn' must be a string and 'pipeline' an array");
    Object.assign(options, { viewOn, pipeline: pipeline ?? [] });
  } else if (isDoc(timeseries)) {
    if (typeof timeseries.timeField !== 'string') throw badValue("'timeseries.timeField' is required");
    options.timeseries = { granularity: 'seconds', bucketMaxSpanSeconds: 3600, ...timeseries };
  } else if (bool(capped)) {
    if (num(size, 0) <= 0) throw badValue('the size field is required when creating a capped collection');
    Object.assign(options, { capped: true, size, ...(max === undefined ? {} : { max }) });
  }
  // mongod keeps these as given and lists them back in listCollections' `options`.
  for (const kept of KEPT_OPTIONS) if (cmd[kept] !== undefined && viewOn === undefined) options[kept] = cmd[kept];
  server.store.create(db, String(name), options);
  return { ok: 1 };
};

const drop: Handler = (cmd, { server, db }) => {
  const coll = server.store.get(db, String(cmd.drop));
  // MongoDB 7.0 answers ok for a collection that does not exist.
  if (!coll) return { ok: 1 };
  server.store.drop(db, coll.name);
  return { nIndexesWas: coll.indexes.length, ns: coll.ns, ok: 1 };
};

const dropDatabase: Handler = (_cmd, { server, db }) => {
  server.store.dbs.delete(db);
  return { dropped: db, ok: 1 };
};

const renameCollection: Handler = (cmd, { server }) => {
  const [fromDb, ...fromRest] = String(cmd.renameCollection).split('.');
  const [toDb, ...toRest] = String(cmd.to).split('.');
  const from = server.store.get(fromDb, fromRest.join('.'));
  if (!from) throw nsNotFound(`Source collection ${String(cmd.renameCollection)} does not exist`);
  if (from.type === 'view') throw viewWrite(from.ns);
  if (server.store.get(toDb, toRest.join('.'))) {
    if (!bool(cmd.dropTarget)) throw new CommandError(48, 'NamespaceExists', 'target namespace exists');
    server.store.drop(toDb, toRest.join('.'));
  }
  server.store.rename(from, toDb, toRest.join('.'));
  return { ok: 1 };
};

function collectionInfo(coll: Collection): Doc {
  const info: Doc = { readOnly: coll.type === 'view' };
  if (coll.type === 'collection') info.uuid = coll.uuid;
  return {
    name: coll.name,
    type: coll.type,
    options: coll.options,
    info,
    ...(coll.type === 'collection' ? { idIndex: coll.indexes[0] } : {}),
  };
}

const listCollections: Handler = (cmd, { server, db }) => {
  const colls = [...(server.store.dbs.get(db)?.colls.values() ?? [])];
  const infos = colls.map(collectionInfo);
  // mongod lists the bucket collection behind every time-series collection.
  // It exists here in name only: it holds no documents.
  for (const c of colls.filter((x) => x.type === 'timeseries')) {
    infos.push({ name: `system.buckets.${c.name}`, type: 'collection', options: { clusteredIndex: true, timeseries: c.options.timeseries }, info: { readOnly: false } });
  }
  const match = matcher(cmd.filter);
  let out = infos.filter((i) => match(toPlain(i) as Doc));
  if (bool(cmd.nameOnly)) out = out.map(({ name, type }) => ({ name, type }));
  const batchSize = isDoc(cmd.cursor) ? num(cmd.cursor.batchSize, 101) : 101;
  return server.cursors.first(`${db}.$cmd.listCollections`, out, batchSize, false, new Clock());
};

const createIndexes: Handler = (cmd, ctx) => {
  const name = String(cmd.createIndexes);
  const existing = ctx.server.store.get(ctx.db, name);
  if (existing?.type === 'view') throw viewWrite(existing.ns);
  const coll = existing ?? ctx.server.store.create(ctx.db, name);
  const before = coll.indexes.length;
  for (const raw of Array.isArray(cmd.indexes) ? cmd.indexes : []) {
    if (!isDoc(raw) || !isDoc(raw.key) || !Object.keys(raw.key).length) throw badValue('index specification must have a non-empty key');
    const spec: IndexSpec = { v: 2, ...raw, key: raw.key, name: typeof raw.name === 'string' ? raw.name : defaultName(raw.key) };
    const same = coll.indexes.find((ix) => ix.name === spec.name || canon(ix.key) === canon(spec.key));
    if (same) {
      if (canon(same.key) !== canon(spec.key)) {
        throw new CommandError(86, 'IndexKeySpecsConflict', `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}`);
      }
      if (same.name !== spec.name || Boolean(same.unique) !== Boolean(spec.unique)) {
        throw new CommandError(85, 'IndexOptionsConflict', `An equivalent index already exists with a different name or options: ${same.name}`);
      }
      continue;
    }
    coll.createIndex(spec);
  }
  return {
    numIndexesBefore: before, numIndexesAfter: coll.indexes.length,
    ...(before === coll.indexes.length ? { note: 'all indexes already exist' } : {}),
    createdCollectionAutomatically: !existing, ok: 1,
  };
};

function defaultName(key: Doc): string {
  return Object.entries(key).map(([k, v]) => `${k}_${String(toPlain(v))}`).join('_');
}

const listIndexes: Handler = (cmd, ctx) => {
  const coll = realCollection(ctx, cmd.listIndexes);
  const batchSize = isDoc(cmd.cursor) ? num(cmd.cursor.batchSize, 101) : 101;
  return ctx.server.cursors.first(coll.ns, coll.indexes, batchSize, false, new Clock());
};

const dropIndexes: Handler = (cmd, ctx) => {
  const coll = realCollection(ctx, cmd.dropIndexes);
  const was = coll.indexes.length;
  const wanted = cmd.index;
  let names: string[];
  if (wanted === '*') names = coll.indexes.slice(1).map((ix) => ix.name);
  else if (Array.isArray(wanted)) names = wanted.map(String);
  else if (isDoc(wanted)) {
    const ix = coll.indexes.find((i) => canon(i.key) === canon(wanted));
    if (!ix) throw new CommandError(27, 'IndexNotFound', `can't find index with key: ${JSON.stringify(toPlain(wanted))}`);
    names = [ix.name];
  } else names = [String(wanted)];
  for (const name of names) {
    if (name === '_id_') throw new CommandError(72, 'InvalidOptions', 'cannot drop _id index');
    if (!coll.indexes.some((ix) => ix.name === name)) throw new CommandError(27, 'IndexNotFound', `index not found with name [${name}]`);
  }
  names.forEach((n) => coll.dropIndex(n));
  return { nIndexesWas: was, ok: 1 };
};

export const ddlCommands: Record<string, Handler> = {
  create, drop, dropDatabase, renameCollection, listCollections, createIndexes, listIndexes, dropIndexes,
};
