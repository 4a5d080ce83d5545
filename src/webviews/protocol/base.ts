import * as z from 'zod/mini';

/*
 * The message machinery every inspector shares, imported by the host AND by the webview bundles
 * (so it uses zod/mini: a few KB in a bundle, where classic zod is hundreds). Shape taken from
 * GitLens' protocol: each message kind is a small typed descriptor declared once in the
 * inspector's protocol file (src/webviews/protocol/<inspector>.ts); both sides import it.
 *
 * - request:      webview → host, answered by exactly one `response` or `error` with the same id;
 *                 the webview may `cancel` it (the host aborts the AbortSignal it handed the work).
 * - command:      webview → host, no answer (state changed, show the log, a CSP violation seen).
 * - notification: host → webview, no answer (navigate to a key, the database was changed).
 *
 * Every inbound message is validated on the host: the envelope by `WebviewMessageSchema`, the
 * params by the descriptor's schema. A bad one gets an `error` reply and is logged; it never throws.
 */

/** A request with parameters `P` (validated by `params`) and a result `R` (typed only: the host is trusted). */
export interface RequestType<M extends string = string, P = unknown, R = unknown> {
  readonly kind: 'request';
  readonly method: M;
  readonly params: z.ZodMiniType<P>;
  /** Phantom: carries the result type. */
  readonly result?: R;
}
export interface CommandType<M extends string = string, P = unknown> {
  readonly kind: 'command';
  readonly method: M;
  readonly params: z.ZodMiniType<P>;
}
export interface NotificationType<M extends string = string, P = unknown> {
  readonly kind: 'notification';
  readonly method: M;
  /** Phantom: carries the params type (host → webview is not validated). */
  readonly paramsType?: P;
}

export type ParamsOfRequest<T> = T extends RequestType<string, infer P, unknown> ? P : never;
export type ResultOfRequest<T> = T extends RequestType<string, unknown, infer R> ? R : never;
export type ParamsOfCommand<T> = T extends CommandType<string, infer P> ? P : never;
export type ParamsOfNotification<T> = T extends NotificationType<string, infer P> ? P : never;

/** `request<Result>()('scope/method', z.strictObject({...}))`: the result type first, then the method and its params schema. */
export const request =
  <R>() =>
  <M extends string, S extends z.ZodMiniType>(method: M, params: S): RequestType<M, z.infer<S>, R> => ({ kind: 'request', method, params: params as z.ZodMiniType<z.infer<S>> });
export const command = <M extends string, S extends z.ZodMiniType>(method: M, params: S): CommandType<M, z.infer<S>> => ({ kind: 'command', method, params: params as z.ZodMiniType<z.infer<S>> });
export const notification = <P>() => <M extends string>(method: M): NotificationType<M, P> => ({ kind: 'notification', method });

// -------------------------------------------------------------------------------------------------
// The wire

/** Most bytes a webview message may carry once serialised (a value to write is at most 4 MiB as base64). */
export const MAX_MESSAGE_CHARS = 6 * 1024 * 1024;

export type WebviewMessage =
  | { type: 'request'; id: number; method: string; params: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'command'; method: string; params: unknown };

const Id = z.number().check(z.int(), z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER));
const Method = z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[\w./-]+$/));
export const WebviewMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('request'), id: Id, method: Method, params: z.optional(z.unknown()) }),
  z.strictObject({ type: z.literal('cancel'), id: Id }),
  z.strictObject({ type: z.literal('command'), method: Method, params: z.optional(z.unknown()) }),
]);

/** What went wrong with a request, as the webview shows it. `code` is an EngineError code or one of the protocol's own. */
export interface ProtocolError {
  code: 'invalid_message' | 'unknown_method' | 'invalid_params' | 'cancelled' | 'internal' | (string & {});
  message: string;
}

export type HostMessage =
  | { type: 'response'; id: number; result: unknown }
  /** `id` is null when the message was too broken to have one. */
  | { type: 'error'; id: number | null; error: ProtocolError }
  | { type: 'notification'; method: string; params: unknown };

/** Readable text of zod issues: `ttl: must be at most 2147483647; key: required`. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || 'params'}: ${issue.message}`)
    .join('; ');
}

// -------------------------------------------------------------------------------------------------
// Messages every inspector has

/** Which database a panel shows, as kept in the webview's state so a reload can reopen it. */
export const PersistedDatabaseSchema = z.discriminatedUnion('scope', [
  z.strictObject({ scope: z.literal('platform'), platformUrl: z.string().check(z.maxLength(2048)), organizationSlug: z.string().check(z.maxLength(200)), databaseId: z.string().check(z.maxLength(200)) }),
  z.strictObject({ scope: z.literal('local'), localId: z.string().check(z.maxLength(200)) }),
]);
export type PersistedDatabase = z.infer<typeof PersistedDatabaseSchema>;

/** What every panel learns in the ready handshake, plus its inspector's own `init`. */
export interface PanelInit<I> {
  database: {
    name: string;
    engine: 'postgres' | 'redis' | 'mongodb';
    /** Writes are refused (database marked read-only, or the caller's role is read_only): show no write controls. */
    readOnly: boolean;
    /** Masked endpoint for the header, e.g. `cache.railway.internal:6379/0`. */
    endpoint: string;
    /** Kept by the webview in its state, handed back to the serializer after a reload. */
    persisted: PersistedDatabase;
  };
  init: I;
  /**
   * The view state this inspector last had for this database, kept by the host when the panel was
   * closed (a new panel starts from it); undefined when there is none or the webview kept its own.
   */
  state?: unknown;
}

/** The ready handshake: the webview asks once its script runs; nothing is posted to it before. */
export const readyRequest = <I>() => request<PanelInit<I>>()('webview/ready', z.strictObject({}));
export const ShowLog = command('webview/showLog', z.strictObject({}));
/** The webview saw a Content-Security-Policy violation (reported so tests and logs see it). */
export const CspViolation = command('webview/cspViolation', z.strictObject({ directive: z.string().check(z.maxLength(200)), blocked: z.string().check(z.maxLength(500)) }));
/** The webview's view state, kept by the host per (inspector, database) so a closed and reopened panel comes back as it was. */
export const SaveState = command('webview/saveState', z.strictObject({ view: z.unknown() }));
/** Most characters a saved view state may take (it holds filters and positions, never data). */
export const MAX_STATE_CHARS = 64 * 1024;
/** An uncaught error in the webview, for the log. */
export const WebviewError = command('webview/error', z.strictObject({ message: z.string().check(z.maxLength(2000)) }));
