import type { CircuitFigures } from '../api/types';
import { EngineError, isConnectionFailure } from './errors';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (the seed's FAILURE_THRESHOLD: 5). */
  threshold: number;
  /** Milliseconds the circuit stays open before one probe may pass (the seed's RESET_TIMEOUT: 60 s). */
  resetTimeoutMs: number;
  now?: () => number;
}


/**
 * The seed's circuit breaker for one database: closed until `threshold` consecutive connection-level
 * failures ({@link isConnectionFailure}: refused, connect time-out, credentials), then
 * open (calls fail at once, naming the database and when to retry), then half-open after the reset
 * timeout, when exactly one call probes the database: success closes the circuit, failure reopens it.
 */
export class CircuitBreaker {
  private state: 'closed' | 'open' | 'half-open' = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  private retryInMs(): number {
    return Math.max(0, this.openedAt + this.options.resetTimeoutMs - this.now());
  }

  private rejection(): EngineError {
    const ms = this.state === 'open' ? this.retryInMs() : 1000;
    return new EngineError('circuit_open', `circuit open for ${this.name}, retry in ${Math.max(1, Math.ceil(ms / 1000))} s`, ms);
  }

  /** Runs `work` through the breaker, recording its outcome. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.state === 'open') {
      if (this.retryInMs() > 0) throw this.rejection();
      this.state = 'half-open';
    }
    const isProbe = this.state === 'half-open';
    if (isProbe) {
      if (this.probing) throw this.rejection();
      this.probing = true;
    }
    try {
      const result = await work();
      this.failures = 0;
      this.state = 'closed';
      return result;
    } catch (error) {
      if (isConnectionFailure(error)) {
        this.failures++;
        if (isProbe || this.failures >= this.options.threshold) {
          this.state = 'open';
          this.openedAt = this.now();
        }
      } else if (isProbe) {
        // The database answered (with a user error): it is reachable again.
        this.failures = 0;
        this.state = 'closed';
      }
      throw error;
    } finally {
      if (isProbe) this.probing = false;
    }
  }

  figures(): Omit<CircuitFigures, 'id'> {
    const state = this.state === 'open' && this.retryInMs() === 0 ? 'half-open' : this.state;
    return { name: this.name, state, failures: this.failures, retryInMs: state === 'open' ? this.retryInMs() : 0 };
  }
}
