import type { MongoClient } from 'mongodb';

/** A whole number within [min, max], `fallback` when not given (the engine's own guard on caps). */
export function clamp(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

/**
 * maxTimeMS for one read: the caller's value or the default, never past the cap, and always a
 * second under the client's socketTimeoutMS. Past the socket timeout the driver would drop the
 * connection and report a network error while the server kept working; under it, the server stops
 * the operation itself and answers MaxTimeMSExpired.
 */
export function maxTimeFor(client: MongoClient, requested: number | undefined, limits: { default: number; max: number }): number {
  const socket = client.options.socketTimeoutMS;
  const ceiling = socket && socket > 2_000 ? Math.min(limits.max, socket - 1_000) : limits.max;
  return clamp(requested, Math.min(limits.default, ceiling), 1, ceiling);
}
