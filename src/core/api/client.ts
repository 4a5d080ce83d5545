import { maskSecretsInText } from '../redact';
import { describeNetworkFailure } from './network-failure';
import {
  API_VERSION_HEADER,
  PLATFORM_API_VERSION,
  type CreateDatabaseRequest,
  type DatabaseInfo,
  type EngineType,
  type ErrorEnvelope,
  type HealthReport,
  type MetricsReport,
  type Organization,
  type Profile,
  type Project,
  type TestConnectionResult,
  type UpdateDatabaseRequest,
} from './types';

/**
 * Why a platform call failed. `status` 0 means the platform could not be reached at all;
 * `code` is the server's error code (or `offline`, `timeout`, `version`, `bad_response`).
 */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** Seconds to wait before retrying (429, open circuits). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export interface PlatformClientOptions {
  /** Base URL such as `http://localhost:3001` (no trailing path). */
  url: string;
  token: string;
  /** Per-request deadline in ms (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * Told the outcome of every call (after it settled): the status bar turns a failed call into a
   * health check at once, and a success while offline too. Must not throw.
   */
  observe?: (outcome: CallOutcome) => void;
}

/** How one platform call ended, for observers of the platform's health. */
export type CallOutcome = { method: string; path: string } & ({ ok: true } | { ok: false; error: PlatformError });

/**
 * The extension's client of the platform API (`/api/platform/...`), runtime-agnostic (fetch only).
 * Every failure becomes a PlatformError with a short message that names what went wrong and never
 * holds the token; a server speaking another API major version is refused at sign-in.
 */
export class PlatformClient {
  readonly url: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: PlatformClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
  }

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, alsoOk: number[] = []): Promise<T> {
    try {
      const result = await this.send<T>(method, path, body, signal, alsoOk);
      this.options.observe?.({ method, path, ok: true });
      return result;
    } catch (error) {
      if (error instanceof PlatformError) this.options.observe?.({ method, path, ok: false, error });
      throw error;
    }
  }

  private async send<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined, alsoOk: number[]): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
      });
    } catch (error) {
      if (signal?.aborted) throw new PlatformError(0, 'cancelled', 'cancelled');
      if (timeout.aborted) throw new PlatformError(0, 'timeout', `the platform at ${this.url} did not answer within ${Math.round((this.options.timeoutMs ?? 30_000) / 1000)} s`);
      const failure = describeNetworkFailure(error, this.url);
      throw new PlatformError(0, failure.kind, `cannot reach the platform at ${this.url}: ${maskSecretsInText(failure.cause, [this.options.token])}`);
    }
    const text = await response.text();
    if (!response.ok && !alsoOk.includes(response.status)) throw this.toError(response, text);
    const version = response.headers.get(API_VERSION_HEADER);
    if (version && Number(version) !== PLATFORM_API_VERSION) {
      throw new PlatformError(response.status, 'version', `the platform speaks API version ${version}, this extension speaks ${PLATFORM_API_VERSION}: update the ${Number(version) > PLATFORM_API_VERSION ? 'extension' : 'server'}`);
    }
    if (response.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new PlatformError(response.status, 'bad_response', `the server at ${this.url} did not answer with JSON: is this an OgelBase platform?`);
    }
  }

  private toError(response: Response, text: string): PlatformError {
    const retry = Number(response.headers.get('retry-after'));
    try {
      const envelope = JSON.parse(text) as ErrorEnvelope;
      if (envelope.error?.message) {
        return new PlatformError(response.status, envelope.error.code, envelope.error.message, envelope.error.requestId, Number.isFinite(retry) && retry > 0 ? retry : undefined);
      }
    } catch {
      /* not our envelope */
    }
    return new PlatformError(response.status, 'http_error', `the server at ${this.url} answered ${response.status} ${response.statusText}: is this an OgelBase platform?`);
  }

  /** Who the token belongs to; also proves the URL is an OgelBase platform of a compatible version. */
  async profile(signal?: AbortSignal): Promise<Profile> {
    const profile = await this.request<Profile>('GET', '/api/platform/profile', undefined, signal);
    if (typeof profile?.apiVersion !== 'number') throw new PlatformError(200, 'bad_response', `the server at ${this.url} is not an OgelBase platform`);
    if (profile.apiVersion !== PLATFORM_API_VERSION) {
      throw new PlatformError(200, 'version', `the platform speaks API version ${profile.apiVersion}, this extension speaks ${PLATFORM_API_VERSION}`);
    }
    return profile;
  }

  organizations = () => this.request<Organization[]>('GET', '/api/platform/organizations');
  projects = (slug: string) => this.request<Project[]>('GET', `/api/platform/organizations/${encodeURIComponent(slug)}/projects`);
  project = (ref: string) => this.request<Project>('GET', `/api/platform/projects/${encodeURIComponent(ref)}`);
  databases = (projectRef: string, page: { limit: number; offset: number }) =>
    this.request<{ databases: DatabaseInfo[]; total: number; limit: number; offset: number }>(
      'GET',
      `/api/platform/databases?projectRef=${encodeURIComponent(projectRef)}&limit=${page.limit}&offset=${page.offset}`,
    );
  database = (id: string) => this.request<DatabaseInfo>('GET', `/api/platform/databases/${encodeURIComponent(id)}`);
  createDatabase = (body: CreateDatabaseRequest) => this.request<DatabaseInfo>('POST', '/api/platform/databases', body);
  updateDatabase = (id: string, body: UpdateDatabaseRequest) => this.request<DatabaseInfo>('PATCH', `/api/platform/databases/${encodeURIComponent(id)}`, body);
  deleteDatabase = (id: string) => this.request<void>('DELETE', `/api/platform/databases/${encodeURIComponent(id)}`);
  testConnection = (id: string, signal?: AbortSignal) => this.request<TestConnectionResult>('POST', `/api/platform/databases/${encodeURIComponent(id)}/test-connection`, undefined, signal);
  /** Tests a connection string from the platform (which reaches private-network hosts) before it is saved. */
  testConnectionString = (type: EngineType, connectionString: string, signal?: AbortSignal) =>
    this.request<TestConnectionResult>('POST', '/api/platform/test-connection', { type, connectionString }, signal);
  reveal = async (id: string) => (await this.request<{ connectionString: string }>('POST', `/api/platform/databases/${encodeURIComponent(id)}/reveal`)).connectionString;
  metrics = () => this.request<MetricsReport>('GET', '/api/platform/metrics');

  /** The platform's health; a degraded platform answers 503 with the same document. */
  async health(fresh = false, signal?: AbortSignal): Promise<HealthReport> {
    const report = await this.request<HealthReport>('GET', `/api/platform/health${fresh ? '?fresh=1' : ''}`, undefined, signal, [503]);
    if (!report || typeof report.status !== 'string' || typeof report.services !== 'object') {
      throw new PlatformError(200, 'bad_response', `the server at ${this.url} did not answer with a health report`);
    }
    return report;
  }

  /** Runs one engine operation on a database through the platform (the proxy for private-network hosts). */
  operation<T>(engine: EngineType, databaseId: string, name: string, params: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>('POST', `/api/platform/databases/${encodeURIComponent(databaseId)}/${engine}/${name}`, params ?? {}, signal);
  }
}
