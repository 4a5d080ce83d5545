import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { LockHolder } from '../db/data-dir-lock';
import { listen } from '../listen';
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
      // Not every failure is an Error (WebAssembly file-system errors are plain objects): name it anyway.
      const message = redactText(error instanceof Error ? error.message : typeof error === 'object' && error !== null ? `${(error as { name?: unknown }).name ?? 'failure'}: ${JSON.stringify(error).slice(0, 300)}` : String(error));
      return failure(error instanceof UsageError ? 400 : 500, message);
    }
  });
  app.notFound(() => failure(404, 'no such administration route'));
  return app;
}

export interface AdminChannel {
  /** What goes into the lock file for commands to find and call it. */
  announcement: NonNullable<LockHolder['admin']>;
  stop(): Promise<void>;
}

/** Starts the channel for a server that owns `dir`. */
export async function serveAdminChannel(deps: Omit<AdminAppDeps, 'secret'>, dir: string): Promise<AdminChannel> {
  const secret = randomBytes(32).toString('base64url');
  const app = createAdminApp({ ...deps, secret });
  const socket = join(dir, ADMIN_SOCKET);
  // sun_path holds 108 bytes on Linux (104 on macOS).
  if (Buffer.byteLength(socket) < 100) {
    rmSync(socket, { force: true }); // a socket file left by a server that crashed
    const server = await listen({ unix: socket }, app.fetch);
    chmodSync(socket, 0o600);
    return {
      announcement: { socket, secret },
      stop: async () => {
        await server.stop(true);
        rmSync(socket, { force: true });
      },
    };
  }
  const server = await listen({ hostname: '127.0.0.1', port: 0 }, app.fetch);
  return { announcement: { port: server.port, secret }, stop: () => server.stop(true) };
}

/** One POST over a Unix socket or to a loopback port, on Node's http client (Bun implements it too). */
function post(admin: NonNullable<LockHolder['admin']>, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        ...(admin.socket ? { socketPath: admin.socket } : { host: '127.0.0.1', port: admin.port }),
        path: '/admin/command',
        method: 'POST',
        headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`the server's administration channel did not answer within ${timeoutMs / 1000} s`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** Sends a command to the server that holds the folder; resolves with what the command printed and its exit code. */
export async function callAdminChannel(admin: NonNullable<LockHolder['admin']>, request: AdminRequest, timeoutMs = 120_000): Promise<AdminResult> {
  const response = await post(admin, JSON.stringify(request), timeoutMs);
  let body: AdminResult & { error?: string };
  try {
    body = JSON.parse(response.text) as AdminResult & { error?: string };
  } catch {
    body = {} as AdminResult;
  }
  if (response.status < 200 || response.status >= 300) {
    // The channel's own refusals carry a sentence; anything else (an envelope, no body) is shown as it came.
    const raw = body.error as unknown;
    const error = typeof raw === 'string' ? raw : raw === undefined ? `the server answered ${response.status}` : `the server answered ${response.status}: ${JSON.stringify(raw).slice(0, 500)}`;
    throw response.status === 400 ? new UsageError(error) : new Error(error);
  }
  return body;
}
