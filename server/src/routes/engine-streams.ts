import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { EngineType } from '../../../src/core/api/types';
import { EngineError } from '../../../src/core/engines/errors';
import type { Operation, OperationTable } from '../../../src/core/engines/operations';
import { maskSecretsInText } from '../../../src/core/redact';
import type { AppEnv } from '../env';
import { DatabaseIdParam } from '../schemas/databases';
import { errorResponses, json } from '../schemas/common';
import { prepareOperation, type EngineOperationDeps } from './engine-operations';

const StreamSchema = z.string().openapi({ description: 'The output, sent as it is produced (chunked); see the operation' });
const FailureSchema = z.record(z.string(), z.unknown());

/**
 * A push stream with backpressure: `write` enqueues one chunk and resolves only once the reader has
 * room again (at most `highWaterMark` chunks wait in memory), so a slow client slows the database
 * cursor down instead of filling the server's memory. A reader that goes away cancels the work.
 */
export class OutputStream {
  readonly readable: ReadableStream<Uint8Array>;
  /** Resolves with the first chunk (or when the stream ends before one). */
  readonly started: Promise<void>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private resume: (() => void) | undefined;
  private markStarted!: () => void;
  private ended = false;
  private readonly encoder = new TextEncoder();

  constructor(onCancel: () => void, highWaterMark = 4) {
    this.started = new Promise<void>((resolve) => (this.markStarted = resolve));
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => void (this.controller = controller),
        pull: () => this.wake(),
        cancel: () => {
          this.ended = true;
          this.wake();
          onCancel();
        },
      },
      new CountQueuingStrategy({ highWaterMark }),
    );
  }

  write = async (chunk: string): Promise<void> => {
    if (this.ended) throw new EngineError('cancelled', 'the reader of the stream went away');
    this.controller.enqueue(this.encoder.encode(chunk));
    this.markStarted();
    while (!this.ended && (this.controller.desiredSize ?? 0) <= 0) await new Promise<void>((resolve) => (this.resume = resolve));
  };

  close(): void {
    this.markStarted();
    if (this.ended) return;
    this.ended = true;
    this.controller.close();
  }

  /** Ends the response abruptly: the client sees a broken transfer, never a complete-looking file. */
  fail(error: unknown): void {
    this.markStarted();
    if (this.ended) return;
    this.ended = true;
    this.controller.error(error);
  }

  private wake(): void {
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }
}

/**
 * The streaming entries of the engines' operation tables (`stream` set, e.g. PostgreSQL
 * `exportRows`) as `POST /api/platform/databases/{id}/<engine>/<operation>`, answered with the
 * output itself, chunk by chunk, instead of a JSON result. Same authentication, tenancy and role
 * rules as the JSON operation routes (planOperation): the caller must be a member of the database's
 * organization, read_only members and read-only databases run as the read-only login (their own SQL
 * is refused without one) in a read-only transaction, and an exported query is audited. Errors found before the first chunk (bad
 * SQL, no such table, a refused role) answer with the usual error envelope and status; a failure
 * after streaming began ends the response abruptly (the client sees an incomplete transfer) and is
 * logged with the request id. Closing the connection cancels the statement on the database.
 */
export function registerEngineStreamRoutes(app: OpenAPIHono<AppEnv>, deps: Omit<EngineOperationDeps, 'maxResponseBytes'>): void {
  for (const [engine, table] of Object.entries(deps.tables) as [EngineType, OperationTable<never>][]) {
    for (const [name, entry] of Object.entries(table)) {
      if (!entry.stream) continue;
      const operation = entry as Operation<unknown, z.ZodType, unknown>;
      app.openapi(
        createRoute({
          method: 'post',
          path: `/api/platform/databases/{id}/${engine}/${name}`,
          summary: operation.summary,
          description: 'Streams its output as the response body (chunked transfer), produced as the database is read; cancelled on the database when the connection closes.',
          tags: [`${engine} operations`],
          request: { params: DatabaseIdParam, body: { content: { 'application/json': { schema: operation.params } }, required: true } },
          responses: {
            200: { description: 'The output (text/csv or application/json, per the request), streamed', content: { 'text/csv': { schema: StreamSchema }, 'application/json': { schema: StreamSchema } } },
            ...errorResponses,
            502: json(FailureSchema, 'The database failed or could not be reached'),
            503: json(FailureSchema, "The database's circuit is open"),
          },
        }),
        async (c) => {
          const principal = c.get('principal');
          const { id } = c.req.valid('param');
          const params = c.req.valid('json') as Record<string, unknown>;
          const { row, target } = await prepareOperation(deps, principal, id, engine, name, operation as Operation<unknown, z.ZodType, unknown>, params);

          const abort = new AbortController();
          const signal = c.req.raw.signal;
          signal.addEventListener('abort', () => abort.abort(), { once: true });
          const output = new OutputStream(() => abort.abort());
          const started = performance.now();
          const done = deps.manager.use(target, (instance) => operation.run(instance, params, { signal: abort.signal, write: output.write }));
          const log = c.get('log');
          done.then(
            () => {
              output.close();
              if (deps.queryLogging) log.info('stream', { engine, operation: name, database: row.id, durationMs: Math.round(performance.now() - started) });
            },
            (error: unknown) => {
              output.fail(error);
              if (!abort.signal.aborted) log.warn('stream failed', { engine, operation: name, database: row.id, error: maskSecretsInText(error instanceof Error ? error.message : String(error)) });
            },
          );
          // Nothing is sent until the first chunk: an error before it gets a proper status and envelope.
          await Promise.race([output.started, done]);
          return c.body(output.readable, 200, { 'content-type': operation.stream!.contentType(params), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }) as never;
        },
      );
    }
  }
}
