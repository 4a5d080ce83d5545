import type { HealthReport, ServiceHealth } from '../../../src/core/api/types';
import { redactText } from '../logger';

/** A check passes by resolving and fails by throwing; it receives a signal that fires at its deadline. */
export type HealthCheck = (signal: AbortSignal) => Promise<unknown>;

export interface HealthServiceOptions {
  checks: Record<string, HealthCheck>;
  /** Each check's own deadline, so one hanging service cannot hold the endpoint. */
  timeoutMs: number;
  /** How long a report is reused (the seed's HEALTH_CHECK_INTERVAL); 0 checks on every request. */
  cacheMs: number;
  now?: () => number;
}

class CheckTimeout extends Error {}

/** Runs one check against its own deadline and turns the outcome into the seed's `{status, latency, error?}`. */
async function runCheck(check: HealthCheck, timeoutMs: number): Promise<ServiceHealth> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CheckTimeout(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([check(controller.signal), deadline]);
    return { status: 'healthy', latency: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'unhealthy', latency: Math.round(performance.now() - started), error: redactText(message).slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The platform's health: every configured service checked in parallel, each within its deadline,
 * the report reused for `cacheMs` and shared by concurrent callers.
 */
export class HealthService {
  private cached: { at: number; report: HealthReport } | undefined;
  private inFlight: Promise<HealthReport> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: HealthServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  get serviceNames(): string[] {
    return Object.keys(this.options.checks);
  }

  async report(options: { fresh?: boolean } = {}): Promise<HealthReport> {
    if (!options.fresh && this.cached && this.now() - this.cached.at < this.options.cacheMs) return this.cached.report;
    this.inFlight ??= this.runAll().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runAll(): Promise<HealthReport> {
    const names = Object.keys(this.options.checks);
    const results = await Promise.all(names.map((name) => runCheck(this.options.checks[name]!, this.options.timeoutMs)));
    const services = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    const report: HealthReport = {
      timestamp: new Date(this.now()).toISOString(),
      status: results.every((r) => r.status === 'healthy') ? 'healthy' : 'degraded',
      services,
    };
    this.cached = { at: this.now(), report };
    return report;
  }
}
