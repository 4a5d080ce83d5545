import type { z } from 'zod';

/**
 * The contract between an engine and everything that exposes it. Each engine publishes a table of
 * named operations; each has a zod schema for its parameters and a kind. The companion server turns
 * every entry into a route (`POST /api/platform/databases/{id}/<engine>/<name>`, validated by the
 * schema, documented in OpenAPI, `write` operations refused for read_only members and read-only
 * databases), and the extension calls the same names either directly on the engine or through
 * those routes. Parameters and results are plain JSON values.
 */
export type OperationKind = 'read' | 'write';

export interface OperationContext {
  /** Fires when the caller gives up (the HTTP request was aborted, the user pressed Cancel). */
  signal?: AbortSignal;
  /**
   * Streaming operations only (`stream` set): takes the next piece of the output and resolves when
   * the next may follow, so the reader's pace (a file, an HTTP response) sets the operation's.
   */
  write?: (chunk: string) => Promise<void>;
}

export interface Operation<Engine, Params extends z.ZodType, Result> {
  kind: OperationKind;
  /** One line for the OpenAPI document and for logs. */
  summary: string;
  params: Params;
  run(engine: Engine, params: z.output<Params>, context: OperationContext): Promise<Result>;
  /**
   * The operation's output is a stream written through `context.write` (an export file), served by
   * the platform as a streamed HTTP response of this content type instead of a JSON result.
   */
  stream?: { contentType(params: z.output<Params>): string };
}

/** Helps TypeScript infer each entry's parameter and result types. */
export function defineOperation<Engine>() {
  return <Params extends z.ZodType, Result>(operation: Operation<Engine, Params, Result>) => operation;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table mixes entries of any parameter/result types
export type OperationTable<Engine> = Record<string, Operation<Engine, any, unknown>>;

/** The parameters an operation of a table accepts (before schema defaults are applied). */
export type ParamsOf<T extends OperationTable<never>, K extends keyof T> = z.input<T[K]['params']>;
/** What an operation of a table resolves to. */
export type ResultOf<T extends OperationTable<never>, K extends keyof T> = Awaited<ReturnType<T[K]['run']>>;
