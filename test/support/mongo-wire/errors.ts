/**
 * MongoDB-style command errors. Every failure leaves the server as
 * `{ ok: 0, errmsg, code, codeName }` so the driver raises a MongoServerError
 * with the same code a real mongod would use.
 */
import type { Doc } from './values';

export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Doc = {},
  ) {
    super(message);
  }
}

export const badValue = (msg: string) => new CommandError(2, 'BadValue', msg);
export const nsNotFound = (msg: string) => new CommandError(26, 'NamespaceNotFound', msg);
export const notImplemented = (what: string) =>
  new CommandError(238, 'NotImplemented', `${what} is not implemented by the wire-test server`);
export const viewWrite = (ns: string) =>
  new CommandError(166, 'CommandNotSupportedOnView', `Namespace ${ns} is a view, not a collection`);
export const immutableId = () =>
  new CommandError(66, 'ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");

/**
 * mingo throws plain errors with its own wording; translate the ones a client
 * can provoke into the codes mongod answers, so tests see the same contract.
 */
const MINGO_ERRORS: [RegExp, (m: RegExpMatchArray) => CommandError][] = [
  [/unknown query operator (\$\w+)/, (m) => badValue(`unknown operator: ${m[1]}`)],
  [/unknown top level operator: (\$\w+)/, (m) => badValue(`unknown top level operator: ${m[1]}`)],
  [/unregistered pipeline operator (\$\w+)/, (m) =>
    new CommandError(40324, 'Location40324', `Unrecognized pipeline stage name: '${m[1]}'`)],
  [/'(\$\w+)' is not registered|unregistered \w+ operator (\$\w+)/, (m) =>
    new CommandError(168, 'InvalidPipelineOperator', `Unrecognized expression '${m[1] ?? m[2]}'`)],
  [/would modify the immutable field '_id'/, () => immutableId()],
  [/updating the path '([^']+)' would create a conflict at '([^']+)'/i, (m) =>
    new CommandError(40, 'ConflictingUpdateOperators', `Updating the path '${m[1]}' would create a conflict at '${m[2]}'`)],
  [/Unknown update operator: '(\$\w+)'/, (m) => new CommandError(9, 'FailedToParse',
    `Unknown modifier: ${m[1]}. Expected a valid update modifier or pipeline-style update specified as an array`)],
];

export function errorReply(err: unknown): Doc {
  let e: CommandError;
  if (err instanceof CommandError) e = err;
  else {
    const msg = err instanceof Error ? err.message : String(err);
    const hit = MINGO_ERRORS.map(([re, make]) => {
      const m = msg.match(re);
      return m && make(m);
    }).find((x) => x);
    e = hit ?? badValue(msg);
  }
  return { ok: 0, errmsg: e.message, code: e.code, codeName: e.codeName, ...e.extra };
}
