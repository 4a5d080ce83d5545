/**
 * The door in front of the code-server `npm start` opens. code-server listens on a Unix socket that
 * only its owner can open (`--auth none` there); this gateway listens on a loopback port and lets a
 * browser in only with the random token of the printed URL (`?tkn=…`), which it swaps for an
 * HttpOnly, SameSite=Strict cookie. Everything else gets 401. WebSockets (the workbench's
 * connection to the extension host) go through the same check.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

const COOKIE = 'ogelbase-start';

export interface Gateway {
  port: number;
  token: string;
  /** `http://127.0.0.1:PORT/?tkn=TOKEN` plus `extra` query parameters. */
  url(extra?: Record<string, string>): string;
  close(): Promise<void>;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function cookieOf(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

export async function startGateway(options: { socket: string; port: number; token?: string }): Promise<Gateway> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const allowed = (request: IncomingMessage) => {
    const cookie = cookieOf(request);
    return cookie !== undefined && same(cookie, token);
  };

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const given = url.searchParams.get('tkn');
    if (given !== null) {
      if (!same(given, token)) {
        response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('Wrong token: open the URL that npm start printed.\n');
        return;
      }
      url.searchParams.delete('tkn');
      response
        .writeHead(302, { location: `${url.pathname}${url.search}`, 'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' })
        .end();
      return;
    }
    if (!allowed(request)) {
      response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('This VS Code was started by npm start: open the URL it printed (it carries a token).\n');
      return;
    }
    const upstream = httpRequest({ socketPath: options.socket, path: request.url, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`code-server did not answer: ${error.message}\n`);
    });
    request.pipe(upstream);
  });

  const upgraded = new Set<Socket>();
  server.on('upgrade', (request: IncomingMessage, client: Socket, head: Buffer) => {
    upgraded.add(client);
    client.once('close', () => upgraded.delete(client));
    if (!allowed(request)) {
      client.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = connect(options.socket, () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', close);
    client.on('error', close);
    upstream.on('close', close);
    client.on('close', close);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${options.port} on 127.0.0.1 is already in use by another program: stop it, or choose another with OGELBASE_VSCODE_PORT=<port> npm start`) : error),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    token,
    url: (extra = {}) => `http://127.0.0.1:${port}/?${new URLSearchParams({ ...extra, tkn: token }).toString()}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
      }),
  };
}
