/**
 * Structured JSON logs in the seed's shape (`{timestamp, level, service, message, ...}`), one line
 * per entry on stdout, which Railway collects. Every entry goes through `redact` first: fields whose
 * name says they hold a secret are replaced, and any `scheme://user:password@` inside any string
 * has its password masked, so a driver error that echoes a connection string cannot leak it.
 */
import { maskSecretsInText } from '../../src/core/redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose entries carry `service` and the given fields (e.g. a request id). */
  child(service: string, fields?: Record<string, unknown>): Logger;
}

const secretField = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|connection[-_]?string|crypto[-_]?key|encryption[-_]?key|^key$/i;

/** Masks passwords inside free text (URLs and libpq `password=` pairs) and any of the known secrets. */
export const redactText = maskSecretsInText;

export function redact(value: unknown, extraSecrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, extraSecrets);
  if (value instanceof Error) return redactText(value.message, extraSecrets);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, extraSecrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = secretField.test(key) && v !== undefined && v !== null && typeof v !== 'boolean' ? '[redacted]' : redact(v, extraSecrets, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  service?: string;
  /** Where lines go; stdout by default. Tests capture them to check that nothing secret is logged. */
  write?: (line: string) => void;
  /** Values that must never appear in a log line (the configured keys and passwords). */
  secrets?: readonly string[];
}

export function createLogger(options: LoggerOptions = {}, bound: Record<string, unknown> = {}): Logger {
  const min = order[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const service = options.service ?? 'server';
  const secrets = options.secrets ?? [];
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    const entry = {
      timestamp: new Date().toISOString(),
      level,
      service,
      message: redactText(message, secrets),
      ...(redact({ ...bound, ...fields }, secrets) as Record<string, unknown>),
    };
    write(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (childService, fields) => createLogger({ ...options, service: childService }, { ...bound, ...fields }),
  };
}
