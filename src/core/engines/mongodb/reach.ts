import { MongoClient, type MongoClientOptions } from 'mongodb';
import { EngineError } from '../errors';
import type { ProbeTarget } from '../probe-result';

/** Connection-string options whose values are paths the driver reads from this machine's disk. */
export const MONGO_FILE_OPTIONS = ['tlsCAFile', 'tlsCertificateKeyFile', 'tlsCRLFile'] as const;

/** A connection string as the MongoDB driver itself reads it: its parser decides what it will do. */
export interface MongoDriverView {
  /** Seed hosts without ports (a unix socket as its path); empty for mongodb+srv://. */
  hosts: string[];
  /** Unix socket paths among the seeds. */
  sockets: string[];
  /** The SRV name of a mongodb+srv:// string (the real hosts come from DNS). */
  srvHost?: string;
  /** MONGO_FILE_OPTIONS that are set. */
  files: string[];
  proxyHost?: string;
  /** The authentication mechanism the driver will use, if credentials are given. */
  mechanism?: string;
}

/** Parses with the driver (no connection is made: the client is only constructed). */
export function mongoDriverView(connectionString: string): MongoDriverView {
  const options = new MongoClient(connectionString.trim()).options as unknown as Record<string, unknown> & {
    hosts: { host?: string; socketPath?: string }[];
    credentials?: { mechanism?: string };
  };
  return {
    hosts: options.hosts.map((h) => h.socketPath ?? h.host ?? ''),
    sockets: options.hosts.flatMap((h) => (h.socketPath ? [h.socketPath] : [])),
    ...(typeof options.srvHost === 'string' ? { srvHost: options.srvHost } : {}),
    files: MONGO_FILE_OPTIONS.filter((o) => typeof options[o] === 'string'),
    ...(typeof options.proxyHost === 'string' ? { proxyHost: options.proxyHost } : {}),
    ...(options.credentials?.mechanism ? { mechanism: options.credentials.mechanism } : {}),
  };
}

/** The file options a connection string sets, as the driver's own parser reads it. */
export function mongoFileOptions(connectionString: string): string[] {
  return mongoDriverView(connectionString).files;
}

/**
 * The MongoClient options that carry what the connection string does not: certificates as PEM text,
 * the host policy's lookup (the driver resolves seed-list and SRV names itself), another login.
 * Where local files may not be read (the server), a string that names certificate files is refused.
 */
export function mongoReach(connectionString: string, target: ProbeTarget & { credentials?: { user: string; password: string } }): MongoClientOptions {
  if (!target.localFiles) {
    const files = mongoFileOptions(connectionString);
    if (files.length > 0) throw new EngineError('invalid_input', `MongoDB: ${files.join(', ')} name files, which are not read here: give the certificates as PEM text`);
  }
  const tls = target.tls;
  return {
    ...(tls?.ca ? { ca: tls.ca } : {}),
    ...(tls?.cert ? { cert: tls.cert } : {}),
    ...(tls?.key ? { key: tls.key } : {}),
    ...(target.guard ? { lookup: target.guard.lookup } : {}),
    ...(target.credentials ? { auth: { username: target.credentials.user, password: target.credentials.password } } : {}),
  };
}

/**
 * Checks the seed hosts against the guard before the driver connects (where there is one: the
 * server): IP literals never reach the lookup hook, and a name is checked once more at connect time.
 * The members a mongodb+srv:// name or a replica set names are resolved by the driver through the
 * guard's lookup.
 */
export async function checkMongoSeeds(connectionString: string, target: ProbeTarget): Promise<void> {
  if (!target.guard) return;
  const view = mongoDriverView(connectionString);
  if (view.srvHost) return;
  await Promise.all([...view.hosts, ...(view.proxyHost ? [view.proxyHost] : [])].map((host) => target.guard!.pin(host)));
}
