import { z } from 'zod';
import { BULK_DEFAULTS } from './bulk';
import { globProblem } from './glob';
import { SCAN_DEFAULTS } from './key-info';
import { VALUE_DEFAULTS } from './values';

/*
 * The pieces the Redis operation table's parameter schemas are made of, with the hard caps that
 * keep every request bounded. Server-only (zod stays out of the extension's engine bundle).
 */

const KiB = 1024;
const MiB = 1024 * KiB;
/** Longest key or member name accepted (Redis allows 512 MB; nobody browses such keys by name). */
const MAX_NAME = 64 * KiB;
/** Longest value written in one request. */
const MAX_VALUE = 4 * MiB;
/** Most elements written or deleted in one request. */
export const MAX_ITEMS = 1000;

const int = (what: string) => z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`);
export const between = (what: string, min: number, max: number) => int(what).min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`);

/** A key: a string, or the `{ name, base64? }` shape keys are listed in (base64 for non-UTF-8 bytes). */
export const Key = z.union(
  [
    z.string().min(1, 'the key name cannot be empty').max(MAX_NAME, `key names longer than ${MAX_NAME} characters are not accepted`),
    z.strictObject({ name: z.string().max(MAX_NAME), base64: z.string().max(Math.ceil(MAX_NAME / 3) * 4).optional() }),
  ],
  { error: 'a key is a string or { name, base64? } as listed' },
);
/** A prefix may be empty (the root of the tree). */
export const Prefix = z.union([z.string().max(MAX_NAME), z.strictObject({ name: z.string().max(MAX_NAME), base64: z.string().max(Math.ceil(MAX_NAME / 3) * 4).optional() })], {
  error: 'a prefix is a string or { name, base64? } as listed',
});

/** A value, field or member: text, or `{ value: <base64>, binary: true }` for exact bytes. */
export const Text = z.union([z.string().max(MAX_VALUE, 'values over 4 MiB are not accepted'), z.strictObject({ value: z.string().max(Math.ceil(MAX_VALUE / 3) * 4), binary: z.boolean().optional() })], {
  error: 'a value is a string or { value, binary? } as read',
});
export const Texts = (what: string) => z.array(Text).min(1, `give at least one ${what}`).max(MAX_ITEMS, `at most ${MAX_ITEMS} ${what}s per request`);

export const Score = z.union([z.number().refine(Number.isFinite, 'a score is a finite number, or "inf" / "-inf"'), z.enum(['inf', '-inf'])]);

/** An opaque cursor from a previous page (it may carry a few keys, hence the size). */
export const Cursor = z.string().max(4 * MiB, 'that is not a cursor this server returned');
/** HSCAN/SSCAN cursors are Redis' own numbers. */
export const ValueCursor = z.string().regex(/^\d{1,20}$/, 'the cursor is the number a previous page returned (start with "0")');
export const Glob = z
  .string()
  .min(1, 'the pattern cannot be empty')
  .max(16 * KiB, 'the pattern is too long')
  .superRefine((pattern, ctx) => {
    const problem = globProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
/** A ZRANGEBYSCORE bound: a number, -inf or +inf, "(" in front to exclude it. */
export const ScoreBound = z.string().regex(/^\(?(-inf|\+?inf|[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?)$/i, 'a score bound is a number, -inf or +inf, with "(" in front to exclude it (e.g. "(10")');
/** The SHA-1 (hex) of a string value as read, for an edit that must not overwrite a change made since. */
export const Sha1 = z.string().regex(/^[0-9a-f]{40}$/, 'expectedSha1 is the sha1 a previous readString returned');

export const scanBounds = {
  cursor: Cursor.optional(),
  count: between('count', 1, 5000).default(SCAN_DEFAULTS.count),
  limit: between('limit', 1, 2000).default(SCAN_DEFAULTS.limit),
  maxScanned: between('maxScanned', 1, 100_000).default(SCAN_DEFAULTS.maxScanned),
};

export const bulkBounds = {
  match: Glob.optional(),
  prefix: Prefix.optional(),
  cursor: Cursor.optional(),
  maxScanned: between('maxScanned', 1, 100_000).default(BULK_DEFAULTS.maxScanned),
};

export const valueBounds = {
  count: between('count', 1, 1000).default(VALUE_DEFAULTS.count),
  maxItemBytes: between('maxItemBytes', 1, MiB).default(VALUE_DEFAULTS.maxItemBytes),
};
export const maxBytes = between('maxBytes', 1, MiB).default(VALUE_DEFAULTS.maxBytes);
export const offset = between('offset', 0, 512 * MiB).default(0);
export const index = between('index', -(2 ** 53 - 1), 2 ** 53 - 1);
export const ttl = between('ttl', 1, 2 ** 31 - 1);
export const typeName = z.string().regex(/^[\w-]{1,64}$/, 'type is a Redis type name such as string, hash, list, set, zset, stream or json');
/** Stream IDs as XRANGE takes them: -, +, ms[-seq], optionally exclusive with '('. */
export const StreamBound = z.string().regex(/^(-|\+|\(?\d{1,20}(-\d{1,20})?)$/, 'a stream ID is -, +, <ms> or <ms>-<seq> (prefix "(" to exclude it)');
export const StreamId = z.string().regex(/^(\*|\d{1,20}(-(\d{1,20}|\*))?)$/, 'a new stream ID is *, <ms>-* or <ms>-<seq>');
export const JsonPath = z.string().min(1).max(4 * KiB);
export const Delimiter = z.string().min(1, 'the delimiter cannot be empty').max(16);
