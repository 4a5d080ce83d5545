/**
 * Handshake, server introspection and statistics commands.
 */
import os from 'node:os';
import type { Handler } from '../context';
import { matcher } from '../engine';
import { badValue, CommandError, nsNotFound } from '../errors';
import { bool, num, toPlain, type Doc } from '../values';
import { helloAuthFields } from './auth';

export const SERVER_VERSION = '7.0.0-wire-test';

/**
 * A standalone mongod 7.0. No `topologyVersion`, so the driver's monitor
 * polls with `hello` instead of holding a streaming (awaitable) hello open.
 */
const hello: Handler = (cmd, ctx) => {
  const legacy = !('hello' in cmd);
  return {
    ...(cmd.helloOk ? { helloOk: true } : {}),
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.conn.id,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ...helloAuthFields(cmd, ctx),
    ok: 1,
  };
};

const buildInfo: Handler = () => ({
  version: SERVER_VERSION, gitVersion: 'wire-test', versionArray: [7, 0, 0, 0],
  bits: 64, debug: false, maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['wire-test-memory'], javascriptEngine: 'none', modules: [],
  openssl: { running: 'disabled' }, buildEnvironment: {}, ok: 1,
});

const hostInfo: Handler = () => ({
  system: {
    currentTime: new Date(), hostname: os.hostname(), cpuAddrSize: 64,
    memSizeMB: Math.round(os.totalmem() / 2 ** 20), numCores: os.cpus().length, cpuArch: os.arch(),
  },
  os: { type: os.type(), name: os.platform(), version: os.release() },
  extra: {},
  ok: 1,
});

const serverStatus: Handler = (_cmd, { server }) => {
  const uptimeMillis = Date.now() - server.startedAt;
  return {
    host: `${server.host}:${server.port}`, version: SERVER_VERSION, process: 'mongod', pid: process.pid,
    uptime: Math.floor(uptimeMillis / 1000), uptimeMillis, uptimeEstimate: Math.floor(uptimeMillis / 1000),
    localTime: new Date(),
    connections: { ...server.connections, available: 1000, active: server.connections.current },
    opcounters: { ...server.counters },
    mem: { bits: 64, resident: Math.round(process.memoryUsage().rss / 2 ** 20), virtual: 0 },
    metrics: { cursor: { open: { total: server.cursors.size } } },
    ok: 1,
  };
};

function dbSize(server: Parameters<Handler>[1]['server'], name: string): { size: number; objects: number } {
  let size = 0;
  let objects = 0;
  for (const coll of server.store.dbs.get(name)?.colls.values() ?? []) {
    const s = coll.stats();
    size += Number(s.totalSize);
    objects += coll.count;
  }
  return { size, objects };
}

const listDatabases: Handler = (cmd, { server }) => {
  const match = matcher(cmd.filter);
  const names = [...server.store.dbs.keys()].sort().filter((name) => match({ name }));
  if (bool(cmd.nameOnly)) return { databases: names.map((name) => ({ name })), ok: 1 };
  const databases = names.map((name) => {
    const { size, objects } = dbSize(server, name);
    return { name, sizeOnDisk: size, empty: objects === 0 };
  });
  const totalSize = databases.reduce((a, d) => a + d.sizeOnDisk, 0);
  return { databases, totalSize, totalSizeMb: Math.round(totalSize / 2 ** 20), ok: 1 };
};

const dbStats: Handler = (_cmd, { server, db }) => {
  const colls = [...(server.store.dbs.get(db)?.colls.values() ?? [])];
  const real = colls.filter((c) => c.type !== 'view');
  const stats = real.map((c) => c.stats());
  const sum = (k: string) => stats.reduce((a, s) => a + Number(s[k]), 0);
  const objects = sum('count');
  return {
    db, collections: real.length, views: colls.length - real.length, objects,
    avgObjSize: objects ? sum('size') / objects : 0, dataSize: sum('size'), storageSize: sum('storageSize'),
    indexes: sum('nindexes'), indexSize: sum('totalIndexSize'), totalSize: sum('totalSize'),
    scaleFactor: 1, fsUsedSize: 0, fsTotalSize: 0, ok: 1,
  };
};

const collStats: Handler = (cmd, { server, db }) => {
  const coll = server.store.get(db, String(cmd.collStats));
  if (!coll || coll.type === 'view') throw nsNotFound(`Collection [${db}.${String(cmd.collStats)}] not found.`);
  return { ...coll.stats(), ok: 1 };
};

const connectionStatus: Handler = (_cmd, { conn }) => ({
  authInfo: { authenticatedUsers: conn.user ? [conn.user] : [], authenticatedUserRoles: [] },
  ok: 1,
});

/** Only the admin database runs these (mongod answers Unauthorized elsewhere). */
function adminOnly(db: string, name: string): void {
  if (db !== 'admin') throw new CommandError(13, 'Unauthorized', `${name} may only be run against the admin database.`);
}

/** Fields of a currentOp command that are options, not a filter on the operations. */
const CURRENT_OP_OPTIONS = new Set(['currentOp', '$ownOps', '$all', '$db', 'lsid', '$clusterTime', '$readPreference', 'comment', 'apiVersion', 'apiStrict', 'apiDeprecationErrors']);

const currentOp: Handler = (cmd, { server, db }) => {
  adminOnly(db, 'currentOp');
  const filter = Object.fromEntries(Object.entries(cmd).filter(([k]) => !CURRENT_OP_OPTIONS.has(k)));
  const match = matcher(filter);
  // No authentication, no users: every operation is this user's own ($ownOps changes nothing).
  return { inprog: server.ops.list(`${server.host}:${server.port}`).filter((op) => match(toPlain(op) as Doc)), ok: 1 };
};

const killOp: Handler = (cmd, { server, db }) => {
  adminOnly(db, 'killOp');
  const opid = num(cmd.op, NaN);
  if (!Number.isInteger(opid)) throw badValue("Did not provide \"op\" field");
  server.ops.kill(opid);
  return { info: 'attempting to kill op', ok: 1 };
};

const ok: Handler = () => ({ ok: 1 });

export const adminCommands: Record<string, Handler> = {
  hello, isMaster: hello, ismaster: hello, ping: ok, buildInfo, buildinfo: buildInfo, hostInfo,
  serverStatus, listDatabases, dbStats, collStats, connectionStatus, currentOp, killOp,
  endSessions: ok, killAllSessions: ok, killSessions: ok, refreshSessions: ok,
  whatsmyuri: (_cmd, ctx) => ({ you: `127.0.0.1:${ctx.conn.id}`, ok: 1 }),
};
