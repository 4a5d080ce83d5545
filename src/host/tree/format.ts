import { maskSecretsInText } from '../../core/redact';

const numbers = new Intl.NumberFormat('en-US');

/** 12,345 */
export const count = (n: number) => numbers.format(n);

/** `1 key`, `2 keys`, `1,000 matches`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** `~1 row`, `~1.2M rows`: an estimate with its noun agreeing (an estimate of exactly 1 is singular). */
export const about = (n: number, one: string, many = `${one}s`) => `~${estimate(n)} ${Math.round(n) === 1 ? one : many}`;

/** `~1.2M` style row or document estimates, exact below 10,000. */
export function estimate(n: number): string {
  if (n < 10_000) return count(Math.round(n));
  for (const [size, unit] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (n >= size) return `${(n / size).toFixed(n >= size * 100 ? 0 : 1).replace(/\.0$/, '')}${unit}`;
  }
  return count(n);
}

/** 1.5 MB */
export function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1).replace(/\.0$/, '')} ${units[unit]}`;
}

/** A TTL in seconds as `42 s`, `5 min 3 s`, `2 h 5 min`, `3 d 4 h`. */
export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'min'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(' ');
}

/**
 * An error as one short line for a tree row: the first line of its message, passwords masked (the
 * engines and the platform already keep secrets out; this is the last guard), at most 200 characters.
 */
export function shortError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = maskSecretsInText(text.split('\n')[0]?.trim() || 'unknown error');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
