/**
 * Command dispatch: look up the handler, enforce authentication, and turn
 * any thrown error into a MongoDB error reply.
 */
import type { Ctx, Handler } from '../context';
import { CommandError, errorReply } from '../errors';
import type { Doc } from '../values';
import { adminCommands } from './admin';
import { authCommands } from './auth';
import { ddlCommands } from './ddl';
import { explainCommands } from './explain';
import { readCommands } from './read';
import { writeCommands } from './write';

const COMMANDS: Record<string, Handler> = {
  ...adminCommands, ...authCommands, ...ddlCommands, ...readCommands, ...writeCommands, ...explainCommands,
};

/** What mongod lets an unauthenticated connection run. */
const OPEN_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo',
  'saslStart', 'saslContinue', 'endSessions', 'connectionStatus']);

const COUNTED_ELSEWHERE = new Set(['find', 'getMore', 'insert', 'update', 'delete']);

export async function runCommand(body: Doc, ctx: Ctx): Promise<Doc> {
  const name = Object.keys(body)[0] ?? '';
  const handler = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!handler) return errorReply(new CommandError(59, 'CommandNotFound', `no such command: '${name}'`));
  if (!COUNTED_ELSEWHERE.has(name)) ctx.server.counters.command++;
  if (ctx.server.creds.size && !ctx.conn.user && !OPEN_COMMANDS.has(name)) {
    return errorReply(new CommandError(13, 'Unauthorized', `Command ${name} requires authentication`));
  }
  const op = ctx.server.ops.start(ctx.conn, ctx.db, name, body);
  try {
    return await handler(body, { ...ctx, op });
  } catch (err) {
    return errorReply(err);
  } finally {
    ctx.server.ops.end(op);
  }
}
