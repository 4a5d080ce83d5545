import { ObjectId, type MongoClient } from 'mongodb';
import { maskSecretsInText } from '../../redact';
import { describeDriverError, EngineError } from '../errors';
import { toDisplay } from './ejson';

interface ServerErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  keyValue?: unknown;
}

const cancelled = () => new EngineError('cancelled', 'MongoDB: the operation was cancelled');

/** The server's own words, without anything that looks like a credential. */
const serverText = (e: ServerErrorShape) => maskSecretsInText(String(e.message ?? 'unknown error'));

function duplicateKey(e: ServerErrorShape): EngineError {
  const text = serverText(e);
  const index = /index: (\S+)/.exec(text)?.[1];
  const key = e.keyValue && typeof e.keyValue === 'object' ? JSON.stringify(toDisplay(e.keyValue)) : /dup key: (.*)$/.exec(text)?.[1];
  const where = index ? ` (unique index ${index})` : '';
  return new EngineError('invalid_input', key ? `MongoDB: duplicate key ${key}: another document already has this value${where}` : `MongoDB: duplicate key: ${text}`);
}

/**
 * MongoDB's error codes that the UI can act on, in words; everything else goes through the shared
 * describeDriverError (network, authentication, BadValue...). A cancelled operation is reported as
 * such whatever the driver threw while it was being torn down.
 */
export function mongoError(error: unknown, signal?: AbortSignal): EngineError {
  if (error instanceof EngineError) return error;
  if (signal?.aborted) return cancelled();
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ServerErrorShape;
  if (e.name === 'AbortError') return cancelled();
  switch (e.code) {
    case 11000:
    case 11001:
      return duplicateKey(e);
    case 166:
      return new EngineError('invalid_input', `MongoDB: views are read-only; write to the collection the view reads from (${serverText(e)})`);
    case 11601:
      return new EngineError('cancelled', 'MongoDB: the operation was stopped on the server (killOp)');
    case 50:
      return new EngineError('timeout', 'MongoDB: the operation ran past its time limit (maxTimeMS) and the server stopped it');
    case 26:
      return new EngineError('not_found', `MongoDB: the collection does not exist (${serverText(e)})`);
    case 27:
      return new EngineError('not_found', `MongoDB: no such index (${serverText(e)})`);
    case 66:
      return new EngineError('invalid_input', "MongoDB: _id cannot change: a replacement must keep the document's _id");
    case 121:
      return new EngineError('invalid_input', `MongoDB: the document does not satisfy the collection's validation rules (${serverText(e)})`);
    case 13:
      return new EngineError('auth', `MongoDB: this user is not allowed to do that (${serverText(e)})`);
    case 10334:
    case 17419:
    case 17420:
      return new EngineError('limit', `MongoDB: the document is larger than the 16 MiB BSON limit (${serverText(e)})`);
    case 14:
    case 67:
    case 72:
    case 85:
    case 86:
    case 197:
      return new EngineError('invalid_input', `MongoDB: ${serverText(e)}`);
  }
  if (e.name === 'MongoInvalidArgumentError' || e.name === 'BSONError' || e.name === 'MongoParseError') {
    return new EngineError('invalid_input', `MongoDB: ${serverText(e)}`);
  }
  return describeDriverError('mongodb', error);
}

/**
 * Runs one read with the caller's signal. Each read carries a `comment` naming it, so that when the
 * caller gives up the server-side operation can be found and killed ($ownOps needs no privilege):
 * the driver only closes its socket on abort, and a server may keep scanning until maxTimeMS.
 */
export async function abortable<T>(client: MongoClient, what: string, signal: AbortSignal | undefined, work: (comment: string) => Promise<T>): Promise<T> {
  if (signal?.aborted) throw cancelled();
  const comment = `ogelbase:${what}:${new ObjectId().toHexString()}`;
  try {
    return await work(comment);
  } catch (error) {
    if (signal?.aborted) {
      void killOwnOperations(client, comment);
      throw cancelled();
    }
    throw mongoError(error, signal);
  }
}

/** Kills this client's operations tagged with `comment`; best effort (a server may lack currentOp). */
export async function killOwnOperations(client: MongoClient, comment: string): Promise<number> {
  try {
    const admin = client.db('admin');
    const { inprog } = await admin.command({ currentOp: 1, $ownOps: true, 'command.comment': comment }, { timeoutMS: 5_000 });
    const ops = Array.isArray(inprog) ? (inprog as { opid?: unknown }[]) : [];
    await Promise.all(ops.map((op) => admin.command({ killOp: 1, op: op.opid }, { timeoutMS: 5_000 }).catch(() => undefined)));
    return ops.length;
  } catch {
    return 0;
  }
}

/** Runs one write: no signal (a write cannot be taken back once sent), errors in words. */
export async function writing<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  if (signal?.aborted) throw cancelled();
  try {
    return await work();
  } catch (error) {
    throw mongoError(error);
  }
}
