/**
 * Write commands. Per-statement failures become `writeErrors` entries (with
 * the statement index) exactly as mongod reports them; `ordered` stops at the
 * first failure.
 */
import { serialize } from 'bson';
import { Clock, type Ctx, type Handler } from '../context';
import { applyUpdate, matcher, projector, scan, sortRecs, upsertDoc } from '../engine';
import { CommandError, errorReply, viewWrite } from '../errors';
import type { Collection, Rec } from '../store';
import { bool, canon, isDoc, num, toPlain, type Doc } from '../values';

function target(ctx: Ctx, name: unknown): Collection {
  const coll = ctx.server.store.writable(ctx.db, String(name));
  if (coll.type === 'view') throw viewWrite(coll.ns);
  return coll;
}

/** Run each statement, collecting writeErrors like mongod (index + code + errmsg). */
function eachStatement<T>(items: T[], ordered: boolean, run: (item: T, i: number) => void): Doc[] {
  const writeErrors: Doc[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      run(items[i], i);
    } catch (err) {
      const { ok: _ok, codeName: _name, ...e } = errorReply(err);
      writeErrors.push({ index: i, ...e });
      if (ordered) break;
    }
  }
  return writeErrors;
}

const withErrors = (reply: Doc, writeErrors: Doc[]): Doc => ({ ...reply, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 });
const list = (v: unknown): Doc[] => (Array.isArray(v) ? v.filter(isDoc) : []);

const insert: Handler = (cmd, ctx) => {
  const coll = target(ctx, cmd.insert);
  const docs = list(cmd.documents);
  let n = 0;
  const writeErrors = eachStatement(docs, cmd.ordered !== false, (doc) => {
    coll.insert(doc);
    n++;
  });
  ctx.server.counters.insert += n;
  return withErrors({ n }, writeErrors);
};

/** Matching records in natural order; stops after the first when `one`. An `_id` equality is one look-up (the _id index). */
function matching(coll: Collection, q: unknown, one: boolean, sort?: unknown): Rec[] {
  const found: Rec[] = [];
  const hasSort = isDoc(sort) && Object.keys(sort).length > 0;
  const id = isDoc(q) ? q._id : undefined;
  if (id !== undefined && !(isDoc(id) && Object.keys(id).some((k) => k.startsWith('$'))) && !Array.isArray(id)) {
    coll.used('_id_');
    const rec = coll.ids.get(canon(toPlain(id)));
    return rec && !rec.deleted && matcher(q)(rec.plain) ? [rec] : [];
  }
  for (const rec of scan(coll, matcher(q), new Clock())) {
    found.push(rec);
    if (one && !hasSort) break;
  }
  return hasSort ? sortRecs(found, sort as Doc).slice(0, one ? 1 : undefined) : found;
}

const update: Handler = (cmd, ctx) => {
  const coll = target(ctx, cmd.update);
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors = eachStatement(list(cmd.updates), cmd.ordered !== false, (st, index) => {
    const multi = bool(st.multi);
    if (multi && isDoc(st.u) && !Object.keys(st.u).some((k) => k.startsWith('$'))) {
      throw new CommandError(9, 'FailedToParse', 'multi update is not supported for replacement-style update');
    }
    const recs = matching(coll, st.q, !multi, st.sort);
    if (!recs.length && bool(st.upsert)) {
      const rec = coll.insert(upsertDoc(st.q, st.u, st.arrayFilters));
      upserted.push({ index, _id: rec.doc._id });
      n++;
      return;
    }
    for (const rec of recs) {
      const next = applyUpdate(rec.doc, st.u, false, st.arrayFilters);
      n++;
      if (Buffer.compare(serializeKey(next), serializeKey(rec.doc)) !== 0) {
        coll.replace(rec, next);
        nModified++;
      }
    }
  });
  ctx.server.counters.update += n;
  return withErrors({ n, nModified, ...(upserted.length ? { upserted } : {}) }, writeErrors);
};

const del: Handler = (cmd, ctx) => {
  const coll = target(ctx, cmd.delete);
  let n = 0;
  const writeErrors = eachStatement(list(cmd.deletes), cmd.ordered !== false, (st) => {
    n += coll.remove(matching(coll, st.q, num(st.limit, 0) === 1));
  });
  ctx.server.counters.delete += n;
  return withErrors({ n }, writeErrors);
};

const findAndModify: Handler = (cmd, ctx) => {
  const coll = target(ctx, cmd.findAndModify ?? cmd.findandmodify);
  const remove = bool(cmd.remove);
  if (remove === (cmd.update !== undefined)) {
    throw new CommandError(9, 'FailedToParse', 'Either an update or remove=true must be specified');
  }
  const project = projector(cmd.fields);
  const [rec] = matching(coll, cmd.query, true, cmd.sort);
  if (remove) {
    if (!rec) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    coll.remove([rec]);
    ctx.server.counters.delete++;
    return { lastErrorObject: { n: 1 }, value: project(rec), ok: 1 };
  }
  ctx.server.counters.update++;
  if (!rec) {
    if (!bool(cmd.upsert)) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const created = coll.insert(upsertDoc(cmd.query, cmd.update, cmd.arrayFilters));
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: created.doc._id },
      value: bool(cmd.new) ? project(created) : null, ok: 1,
    };
  }
  const before: Rec = { ...rec };
  coll.replace(rec, applyUpdate(rec.doc, cmd.update, false, cmd.arrayFilters));
  return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(bool(cmd.new) ? rec : before), ok: 1 };
};

/** Byte-level equality tells whether an update really modified a document (nModified). */
const serializeKey = (d: Doc): Buffer => Buffer.from(serialize(d));

export const writeCommands: Record<string, Handler> = {
  insert, update, delete: del, findAndModify, findandmodify: findAndModify,
};
