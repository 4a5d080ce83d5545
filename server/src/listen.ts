import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';

/**
 * Serves a fetch handler on Bun (`Bun.serve`) or on Node (`node:http` through @hono/node-server),
 * whichever runs the process: the server is started by `bun run` in the repository and on Railway,
 * and by VS Code's own Node when the extension's "Start Local Platform" finds no Bun.
 */
export interface Listening {
  /** The TCP port, or undefined on a Unix socket. */
  port: number | undefined;
  hostname: string | undefined;
  runtime: 'bun' | 'node';
  /** Stops accepting; resolves once the requests in flight have finished (`force`: at once). */
  stop(force?: boolean): Promise<void>;
}

export type FetchHandler = (request: Request, ...rest: never[]) => Response | Promise<Response>;

export type ListenTarget = { port: number; hostname: string } | { unix: string };

export async function listen(target: ListenTarget, fetch: FetchHandler): Promise<Listening> {
  if (typeof Bun !== 'undefined') {
    const server = 'unix' in target ? Bun.serve({ unix: target.unix, fetch }) : Bun.serve({ port: target.port, hostname: target.hostname, fetch });
    return {
      port: 'unix' in target ? undefined : server.port,
      hostname: 'unix' in target ? undefined : server.hostname,
      runtime: 'bun',
      stop: async (force = false) => {
        await server.stop(force);
      },
    };
  }
  // @hono/node-server passes `{ incoming, outgoing }` as the app's env, which its getConnInfo reads.
  const server: Server = createServer(getRequestListener(fetch as Parameters<typeof getRequestListener>[0]));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const ready = () => {
      server.off('error', reject);
      resolve();
    };
    if ('unix' in target) server.listen(target.unix, ready);
    else server.listen(target.port, target.hostname, ready);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : undefined,
    hostname: 'unix' in target ? undefined : target.hostname,
    runtime: 'node',
    stop: (force = false) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open; busy ones finish first unless forced.
        server.closeIdleConnections();
        if (force) server.closeAllConnections();
      }),
  };
}
