import type { EngineType } from '../connection-strings/errors';

/**
 * The platform API's wire types, shared by the companion server (which validates them with zod
 * schemas checked against these at compile time) and the extension's client. Changing one is an
 * API change: bump `PLATFORM_API_VERSION` when a field is removed or changes meaning.
 */

/** Major version of the `/api/platform` contract. Clients refuse a server whose major differs. */
export const PLATFORM_API_VERSION = 1;
/** Header that carries `PLATFORM_API_VERSION` on every response. */
export const API_VERSION_HEADER = 'x-ogelbase-api-version';

export type { EngineType };
export type Role = 'owner' | 'admin' | 'developer' | 'read_only';

export interface Profile {
  user: { id: string; email: string; displayName: string | null };
  authenticatedBy: 'jwt' | 'api_token';
  apiVersion: number;
  serverVersion: string;
}

export interface Organization {
  id: string;
  slug: string;
  name: string;
  /** The caller's role in this organization. */
  role: Role;
  projectCount: number;
}

export interface Project {
  id: string;
  ref: string;
  name: string;
  region: string | null;
  organizationSlug: string;
  databaseCount: number;
  createdAt: string;
}

export interface DatabaseInfo {
  id: string;
  projectRef: string;
  name: string;
  type: EngineType;
  description: string | null;
  /** The connection string with its password replaced by `****`. */
  connectionString: string;
  /** Host, port and database for display, e.g. `redis.railway.internal:6379/0`. */
  endpoint: string;
  /** True when the hosts are reachable only inside the platform's private network (`*.railway.internal`). */
  privateNetwork: boolean;
  readOnly: boolean;
  /**
   * The login read_only members (and everyone on a read-only database) use: created by the
   * platform, given by an owner, or none (then read_only members cannot run SQL).
   */
  readCredential: ReadCredentialState;
  /** Which certificates are stored with the connection (PEM, sealed). */
  tls: { ca: boolean; cert: boolean; key: boolean };
  /** MongoDB: whether $where, $function and $accumulator are accepted. */
  serverJavaScript: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ReadCredentialState = 'provisioned' | 'supplied' | 'none';

/** Certificates and a private key as PEM text: the platform reads no files. */
export interface TlsPem {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface CreateDatabaseRequest {
  projectRef: string;
  name: string;
  type: EngineType;
  connectionString: string;
  description?: string;
  readOnly?: boolean;
  tls?: TlsPem;
  /** A read-only login's connection string for read_only members (owners and admins only). */
  readConnectionString?: string;
  /** MongoDB: accept server-side JavaScript (owners and admins only). */
  serverJavaScript?: boolean;
}

export interface UpdateDatabaseRequest {
  name?: string;
  description?: string | null;
  connectionString?: string;
  /** Owners and admins only. */
  readOnly?: boolean;
  /** null removes the stored certificates. */
  tls?: TlsPem | null;
  /** Owners and admins only; null removes a given one. */
  readConnectionString?: string | null;
  /** Owners and admins only. */
  serverJavaScript?: boolean;
}

export interface TestConnectionResult {
  ok: boolean;
  latency: number;
  serverVersion?: string;
  error?: { code: string; message: string };
}

export type ServiceStatus = 'healthy' | 'unhealthy';

export interface ServiceHealth {
  status: ServiceStatus;
  /** Milliseconds the check took. */
  latency: number;
  error?: string;
}

/** The seed's health document: `healthy` answers 200, `degraded` answers 503. */
export interface HealthReport {
  timestamp: string;
  status: 'healthy' | 'degraded';
  services: Record<string, ServiceHealth>;
  /**
   * `status-only` when the caller sent no token, or one the server could not check because the
   * platform database is down: each service's status and latency, without error details.
   */
  access?: 'full' | 'status-only';
}

export interface ConnectionFigures {
  active: number;
  idle: number;
  waiting: number;
}

export interface CircuitFigures {
  /** The database's id (names repeat across organizations). */
  id: string;
  name: string;
  state: 'closed' | 'open' | 'half-open';
  failures: number;
  retryInMs: number;
}

export interface MetricsReport {
  timestamp: string;
  uptime: number;
  /** The runtime that measured `memory` (heap figures of Bun's JavaScriptCore and Node's V8 are not comparable). */
  runtime: { name: 'bun' | 'node'; version: string; engine: 'JavaScriptCore' | 'V8' };
  /** Bytes; `heapUsed` never exceeds `heapTotal` (both come from the same heap statistics). */
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number };
  connections: Record<'platform' | EngineType, ConnectionFigures>;
  circuits: CircuitFigures[];
  /** How late timers fire (ms): the last sample and the worst since the previous report. */
  eventLoop?: { lagMs: number; maxLagMs: number };
}

export interface RevealedConnectionString {
  connectionString: string;
}

export interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string; details?: { field: string; message: string }[] };
}
