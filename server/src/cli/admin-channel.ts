import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { LockHolder } from '../db/data-dir-lock';
import { redactText, type Logger } from '../logger';
import type { Platform } from '../platform';
import { AdminRequestSchema, executeAdmin, refusalWhileServing, UsageError, type AdminRequest, type AdminResult } from './admin-commands';

/**
 * The running server's administration channel: how `npm run server -- demo` (and every other
 * command) reaches the embedded database while the server owns it, instead of opening the folder a
 * second time. It listens on a Unix socket inside DATA_DIR (owner-only folder, socket mode 0600) and
 * also wants the secret the server wrote into its lock file, so only the server's own user, reading
 * that file, can call it. Never on a TCP port reachable from elsewhere: a path too long for a Unix
 * socket falls back to 127.0.0.1 with the same secret.
 */
export const ADMIN_SOCKET = 'admin.sock';

const digest = (text: string) => createHash('sha256').update(text).digest();
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

export interface AdminAppDeps {
  platform: Platform;
  secret: string;
  log: Logger;
  /** The public URL the server answers on, for `demo`'s output. */
  url: () => string;
}

/** The channel's one route, as a Hono app (tests call `app.request()`). */
export function createAdminApp(deps: AdminAppDeps): Hono {
  const app = new Hono();
  const failure = (status: 400 | 401 | 404 | 409 | 413 | 500, error: string) => Response.json({ error }, { status });
  app.use('*', bodyLimit({ maxSize: 64 * 1024, onError: () => failure(413, 'request too large') }));
  app.post('/admin/command', async (c) => {
    const auth = c.req.header('authorization') ?? '';
    if (!sameSecret(auth, `Bearer ${deps.secret}`)) return failure(401, 'the administration channel needs the secret from the server lock file');
    const parsed = AdminRequestSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return failure(400, 'malformed administration request');
    const refusal = refusalWhileServing(parsed.data);
    if (refusal) return failure(409, refusal);
    deps.log.info('administration command', { command: parsed.data.command });
    try {
      return c.json(await executeAdmin(deps.platform, parsed.data, { url: deps.url() }));
    } catch (error) {
      // The command's own words (a missing user, a bad role), never a stack; secrets masked.
      const message = redactText(error instanceof Error ? error.message : String(error));
      return failure(error instanceof UsageError ? 400 : 500, message);
    }
  });
  app.notFound(() => failure(404, 'no such administration route'));
  return app;
}

export interface AdminChannel {
  /** What goes into the lock file for commands to find and call it. */
  announcement: NonNullable<LockHolder['admin']>;
  stop(): void;
}

/** Starts the channel for a server that owns `dir`. */
export function serveAdminChannel(deps: Omit<AdminAppDeps, 'secret'>, dir: string): AdminChannel {
  const secret = randomBytes(32).toString('base64url');
  const app = createAdminApp({ ...deps, secret });
  const socket = join(dir, ADMIN_SOCKET);
  // sun_path holds 108 bytes on Linux (104 on macOS).
  if (Buffer.byteLength(socket) < 100) {
    rmSync(socket, { force: true }); // a socket file left by a server that crashed
    const server = Bun.serve({ unix: socket, fetch: app.fetch });
    chmodSync(socket, 0o600);
    return {
      announcement: { socket, secret },
      stop: () => {
        void server.stop(true);
        rmSync(socket, { force: true });
      },
    };
  }
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch });
  return { announcement: { port: server.port, secret }, stop: () => void server.stop(true) };
}

/** Sends a command to the server that holds the folder; resolves with what the command printed and its exit code. */
export async function callAdminChannel(admin: NonNullable<LockHolder['admin']>, request: AdminRequest, timeoutMs = 120_000): Promise<AdminResult> {
  const init = {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(timeoutMs),
    ...(admin.socket ? { unix: admin.socket } : {}),
  };
  const response = await fetch(admin.socket ? 'http://localhost/admin/command' : `http://127.0.0.1:${admin.port}/admin/command`, init);
  const body = (await response.json().catch(() => ({}))) as AdminResult & { error?: string };
  if (!response.ok) {
    const error = body.error ?? `the server answered ${response.status}`;
    throw response.status === 400 ? new UsageError(error) : new Error(error);
  }
  return body;
}
