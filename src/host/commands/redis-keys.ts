import * as vscode from 'vscode';
import type { KeyInfo, RedisText } from '../../core/engines/redis';
import { refName, refType } from '../access/database-ref';
import { runOperation } from '../access/operations';
import type { Explorer } from '../explorer';
import { bytes, count, duration, plural } from '../tree/format';
import { isItem, type ExplorerNode, type ItemNode } from '../tree/nodes';
import { CommandIds } from './ids';
import { registerCommand } from './register';
import { asNode, cancelled, info, required, treeOf, withProgress } from './support';

/** Copy Value copies at most this much: a string's first MiB, or the first 1,000 elements of anything else. */
const COPY_BYTES = 1024 * 1024;
const COPY_ITEMS = 1000;
/** The longest pattern the scan operations accept. */
const MAX_PATTERN = 16 * 1024;

type FilterTarget = Extract<ExplorerNode, { kind: 'database' }> | ItemNode<'redis.namespace'>;

function keyNode(arg: unknown, command: string): ItemNode<'redis.key'> {
  const node = asNode(arg);
  if (!isItem(node, 'redis.key')) throw new Error(`${command} runs from a Redis key row of the explorer.`);
  return node;
}

function filterTarget(arg: unknown, command: string): FilterTarget {
  const node = asNode(arg);
  if (node?.kind === 'database' && refType(node.ref) === 'redis') return node;
  if (isItem(node, 'redis.namespace')) return node;
  throw new Error(`${command} runs from a Redis database or namespace row of the explorer.`);
}

/** A literal text as a SCAN MATCH glob (* ? [ ] \\ escaped). */
export const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** Why a Filter Keys pattern is refused; `fixed` is the namespace's own (escaped) prefix it must keep. */
export function patternProblem(pattern: string, fixed: string): string | undefined {
  if (pattern.length > MAX_PATTERN) return `A pattern is at most ${count(MAX_PATTERN)} characters.`;
  if (pattern !== '' && !pattern.startsWith(fixed)) return `Start the pattern with ${fixed} to stay in this namespace (filter the database to search every key).`;
  if (/[\r\n]/.test(pattern)) return 'A pattern is one line: use ? to match a line break inside a key name.';
  return undefined;
}

const keyTitle = (node: ItemNode<'redis.key'>) => node.detail.key.name;

async function filterKeys(explorer: Explorer, arg: unknown): Promise<void> {
  const target = filterTarget(arg, 'Filter Keys');
  const tree = treeOf(explorer, target);
  const current = tree.filterOf(target);
  const prefix = target.kind === 'item' ? target.detail.prefix : undefined;
  if (prefix?.base64 !== undefined) throw new Error('This namespace\'s name is not UTF-8, which a pattern cannot spell: filter its database instead.');
  const fixed = prefix ? escapeGlob(prefix.name) : '';
  const where = prefix ? `${prefix.name} in ${refName(target.ref)}` : refName(target.ref);
  const typed = await explorer.prompts.input({
    title: `Filter Keys of ${where}`,
    prompt: `A key pattern, as Redis SCAN MATCH reads it: * any characters, ? one, [abc] one of a set, \\ escapes the next character.${prefix ? ` It starts with ${fixed} to stay in this namespace.` : ''} Leave it empty to clear the filter.`,
    placeHolder: prefix ? `${fixed}*` : 'user:4711*',
    value: current ?? (prefix ? `${fixed}*` : ''),
    valueSelection: current || !prefix ? undefined : [fixed.length, fixed.length + 1],
    validateInput: (value) => patternProblem(value, fixed),
  });
  const pattern = required(typed);
  if (pattern.trim() === '' || (prefix && pattern === `${fixed}*`)) {
    await tree.filter(target, undefined);
    if (current) info(`Cleared the key filter of ${where}.`);
    return;
  }
  const filtering = withProgress(`Filtering ${where} by ${pattern}`, (signal, report) => tree.filter(target, pattern, { stop: signal, report }));
  // Expanded at once: the rows show as soon as the scan has them.
  void revealExpanded(explorer, target);
  await filtering;
  explorer.log.info(`[commands] filtered ${where} by ${pattern}`);
}

async function revealExpanded(explorer: Explorer, node: ExplorerNode): Promise<void> {
  const view = treeOf(explorer, node) === explorer.localTree ? explorer.localView : explorer.platformView;
  await Promise.resolve(view.reveal(node, { expand: true, select: false, focus: false })).catch(() => undefined);
}

async function clearFilter(explorer: Explorer, arg: unknown): Promise<void> {
  const target = filterTarget(arg, 'Clear Filter');
  await treeOf(explorer, target).filter(target, undefined);
}

async function copyKeyName(explorer: Explorer, arg: unknown): Promise<void> {
  const { detail } = keyNode(arg, 'Copy Key Name');
  await vscode.env.clipboard.writeText(detail.key.name);
  info(detail.key.base64 === undefined ? `Copied the key name ${detail.key.name}.` : `Copied the key name ${detail.key.name} (its bytes are not UTF-8: the copy has replacement characters).`);
}

/** An element for the JSON of Copy Value: its text, or `{ base64 }` for bytes that are not UTF-8. */
const element = (text: RedisText) => (text.binary ? { base64: text.value } : text.value);
const cutElements = (texts: RedisText[]) => texts.some((t) => t.truncated);

interface Copied {
  text: string;
  /** What was copied, for the message: "the whole value", "the first 1,000 of 52,344 fields". */
  extent: string;
}

/** Reads a bounded copy of a key's value, by type: a string's first MiB, the first 1,000 elements of the rest. */
async function readForCopy(explorer: Explorer, node: ItemNode<'redis.key'>, signal: AbortSignal): Promise<Copied> {
  const { ref } = node;
  const key = node.detail.key;
  const elements = (shown: number, total: number, noun: string, cut: boolean) =>
    `${shown >= total ? `all ${plural(total, noun)}` : `the first ${count(shown)} of ${plural(total, noun)}`}${cut ? ' (elements over 16 KB cut)' : ''}`;
  switch (node.detail.type) {
    case 'string': {
      const r = await runOperation(explorer.access, ref, 'redis', 'readString', { key, maxBytes: COPY_BYTES }, signal);
      const what = r.truncated ? `the first ${bytes(r.bytes)} of ${bytes(r.length)}` : `all ${bytes(r.length)}`;
      return { text: r.value, extent: r.binary ? `${what}, as base64 (not UTF-8)` : what };
    }
    case 'hash': {
      const r = await runOperation(explorer.access, ref, 'redis', 'readHash', { key, count: COPY_ITEMS }, signal);
      const object = Object.fromEntries(r.entries.map((e) => [e.field.binary ? `base64:${e.field.value}` : e.field.value, element(e.value)]));
      return { text: JSON.stringify(object, null, 2), extent: elements(r.entries.length, r.length, 'field', cutElements(r.entries.flatMap((e) => [e.field, e.value]))) };
    }
    case 'list': {
      const r = await runOperation(explorer.access, ref, 'redis', 'readList', { key, start: 0, count: COPY_ITEMS }, signal);
      return { text: JSON.stringify(r.items.map((i) => element(i.value)), null, 2), extent: elements(r.items.length, r.length, 'element', cutElements(r.items.map((i) => i.value))) };
    }
    case 'set': {
      const r = await runOperation(explorer.access, ref, 'redis', 'readSet', { key, count: COPY_ITEMS }, signal);
      return { text: JSON.stringify(r.members.map(element), null, 2), extent: elements(r.members.length, r.length, 'member', cutElements(r.members)) };
    }
    case 'zset': {
      const r = await runOperation(explorer.access, ref, 'redis', 'readZset', { key, start: 0, count: COPY_ITEMS }, signal);
      const rows = r.members.map((m) => ({ member: element(m.member), score: m.score }));
      return { text: JSON.stringify(rows, null, 2), extent: elements(r.members.length, r.length, 'member', cutElements(r.members.map((m) => m.member))) };
    }
    case 'stream': {
      const r = await runOperation(explorer.access, ref, 'redis', 'readStream', { key, count: COPY_ITEMS }, signal);
      const rows = r.entries.map((e) => ({ id: e.id, ...Object.fromEntries(e.fields.map((f) => [f.field.binary ? `base64:${f.field.value}` : f.field.value, element(f.value)])) }));
      return { text: JSON.stringify(rows, null, 2), extent: elements(r.entries.length, r.length, 'entry', false).replace(/entrys/, 'entries') };
    }
    case 'json': {
      const r = await runOperation(explorer.access, ref, 'redis', 'readJson', { key, maxBytes: COPY_BYTES }, signal);
      return { text: r.json, extent: r.truncated ? `the first ${bytes(COPY_BYTES)} of ${bytes(r.bytes)}` : `all ${bytes(r.bytes)}` };
    }
    default:
      throw new Error(`${keyTitle(node)} is a ${node.detail.type}, which the explorer cannot read.`);
  }
}

async function copyKeyValue(explorer: Explorer, arg: unknown): Promise<void> {
  const node = keyNode(arg, 'Copy Value');
  const copied = await withProgress(`Reading ${keyTitle(node)}…`, (signal) => readForCopy(explorer, node, signal));
  await vscode.env.clipboard.writeText(copied.text);
  explorer.log.info(`[commands] copied the value of a ${node.detail.type} key of ${refName(node.ref)} (${copied.extent})`);
  info(`Copied the value of ${keyTitle(node)}: ${copied.extent}.`);
}

const MAX_TTL = 2 ** 31 - 1;

export function ttlProblem(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (!/^\d+$/.test(text)) return 'Seconds as a whole number (3600 is an hour), or nothing to remove the TTL.';
  const n = Number(text);
  return n < 1 || n > MAX_TTL ? `Between 1 and ${count(MAX_TTL)} seconds.` : undefined;
}

function describeTtl(ttl: number): string {
  return ttl === -1 ? 'never expires' : ttl === -2 ? 'is gone (expired or deleted)' : `expires in ${duration(ttl)}`;
}

async function setKeyTtl(explorer: Explorer, arg: unknown): Promise<void> {
  const node = keyNode(arg, 'Set TTL');
  const { ref } = node;
  const key = node.detail.key;
  const now = await withProgress(`Reading ${keyTitle(node)}…`, (signal) => runOperation(explorer.access, ref, 'redis', 'getKey', { key }, signal));
  if (now.ttl === -2) throw new Error(`${keyTitle(node)} no longer exists (expired or deleted): refresh its namespace.`);
  const typed = await explorer.prompts.input({
    title: `Set TTL of ${keyTitle(node)}`,
    prompt: `Seconds until the key expires; leave empty to remove the TTL. It ${describeTtl(now.ttl)}.`,
    placeHolder: '3600',
    value: now.ttl > 0 ? String(now.ttl) : '',
    validateInput: ttlProblem,
  });
  const text = required(typed).trim();
  const ttl = text === '' ? null : Number(text);
  if (ttl === null && now.ttl === -1) return;
  const result = await withProgress(`Setting the TTL of ${keyTitle(node)}…`, (signal) => runOperation(explorer.access, ref, 'redis', 'expire', { key, ttl }, signal));
  Object.assign(node.detail, { ttl: result.ttl } satisfies Partial<KeyInfo>);
  treeOf(explorer, node).changedRow(node);
  explorer.log.info(`[commands] set the TTL of a key of ${refName(ref)} to ${ttl ?? 'none'}`);
  info(`${keyTitle(node)} ${describeTtl(result.ttl)}.`);
}

async function deleteKey(explorer: Explorer, arg: unknown): Promise<void> {
  const node = keyNode(arg, 'Delete Key');
  const { ref } = node;
  const key = node.detail.key;
  const details = await withProgress(`Reading ${keyTitle(node)}…`, (signal) => runOperation(explorer.access, ref, 'redis', 'getKey', { key }, signal));
  if (details.ttl === -2) {
    treeOf(explorer, node).removeRow(node);
    info(`${keyTitle(node)} was already gone (expired or deleted).`);
    return;
  }
  const size = [
    details.length === undefined ? undefined : plural(details.length, details.type === 'string' ? 'byte' : details.type === 'hash' ? 'field' : details.type === 'stream' ? 'entry' : 'element').replace('entrys', 'entries'),
    details.memory === undefined ? undefined : `${bytes(details.memory)} in memory`,
  ].filter(Boolean);
  const detail = `One ${details.type} key${size.length ? ` (${size.join(', ')})` : ''} of ${refName(ref)}. It cannot be restored.`;
  if ((await explorer.prompts.confirm(`Delete the key ${keyTitle(node)}?`, detail, 'Delete')) !== 'Delete') cancelled();
  const { deleted } = await withProgress(`Deleting ${keyTitle(node)}…`, (signal) => runOperation(explorer.access, ref, 'redis', 'deleteKeys', { keys: [key] }, signal));
  treeOf(explorer, node).removeRow(node);
  explorer.log.info(`[commands] deleted ${deleted} key of ${refName(ref)}`);
  info(deleted === 1 ? `Deleted ${keyTitle(node)}.` : `${keyTitle(node)} was already gone.`);
}

export function registerRedisKeyCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.filterKeys, explorer.log, (arg) => filterKeys(explorer, arg)),
    registerCommand(CommandIds.clearFilter, explorer.log, (arg) => clearFilter(explorer, arg)),
    registerCommand(CommandIds.copyKeyName, explorer.log, (arg) => copyKeyName(explorer, arg)),
    registerCommand(CommandIds.copyKeyValue, explorer.log, (arg) => copyKeyValue(explorer, arg)),
    registerCommand(CommandIds.setKeyTtl, explorer.log, (arg) => setKeyTtl(explorer, arg)),
    registerCommand(CommandIds.deleteKey, explorer.log, (arg) => deleteKey(explorer, arg)),
  ];
}
