import type { LookupFunction } from 'node:net';
import { open } from 'node:fs/promises';
import { EngineError } from './errors';

/** Certificates and a private key as PEM text, as TLS takes them. */
export interface TlsMaterial {
  /** The certificate authority (or chain) the server's certificate must lead to. */
  ca?: string;
  /** The client certificate. */
  cert?: string;
  /** The client certificate's private key. */
  key?: string;
}

/**
 * Where the drivers may connect, as the server's host policy decides (the extension has none: it
 * runs on the user's own machine). Engines ask it before they open anything.
 */
export interface NetworkGuard {
  /**
   * The address to connect to for `host`: resolved once and checked, so the name cannot resolve to
   * something else between the check and the connection. Throws an EngineError when refused.
   */
  pin(host: string): Promise<string>;
  /** A `dns.lookup` for drivers that resolve names themselves (MongoDB's seed list, SRV members). */
  lookup: LookupFunction;
  /** Whether an address a server announced (a Cluster node, a Sentinel's master) may be followed. */
  mayFollow(host: string): boolean;
}

/** A host name no resolver answers (RFC 6761 `.invalid`): where a refused announced address is sent. */
export const REFUSED_HOST = 'refused-by-host-policy.invalid';

/** A certificate or key file is at most this big; anything larger is not a PEM file. */
const MAX_CERTIFICATE_BYTES = 1024 * 1024;

/**
 * Reads a certificate or key file named by a connection string, on the user's own machine (the
 * extension): asynchronously, only a regular file, and at most 1 MiB, so `/dev/zero` or a FIFO
 * cannot block or exhaust the process.
 */
export async function readCertificateFile(path: string, what: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new EngineError('invalid_input', `the ${what} file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new EngineError('invalid_input', `the ${what} ${path} is not a regular file`);
    if (stat.size > MAX_CERTIFICATE_BYTES) throw new EngineError('invalid_input', `the ${what} file ${path} is larger than 1 MiB: it is not a certificate`);
    const buffer = Buffer.alloc(stat.size);
    const { bytesRead } = await handle.read(buffer, 0, stat.size, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
