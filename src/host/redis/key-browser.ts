import * as vscode from 'vscode';
import { EngineError } from '../../core/engines/errors';
import type { RedisOperations } from '../../core/engines/redis/operations';
import type { KeyInput, KeyRef, ZsetScore } from '../../core/engines/redis/types';
import {
  CreateKey,
  DeleteKeys,
  DeleteMatching,
  Edit,
  GetKey,
  Navigate,
  ReadHash,
  ReadJson,
  ReadList,
  ReadSet,
  ReadStream,
  ReadString,
  ReadZset,
  ReadZsetByScore,
  ScanKeys,
  ServerInfoRequest,
  type EditOperation,
  type KeyTarget,
  type RedisKeysInit,
} from '../../webviews/protocol/redis-keys';
import type { EngineCaller } from '../access/database-access';
import { refName } from '../access/database-ref';
import type { InspectorDefinition, InspectorHost, InspectorSession } from '../webviews/inspector';

/** The Redis key browser's panel kind (one per database), restored after a reload. */
export const redisKeyBrowser: InspectorDefinition<KeyTarget> = {
  viewType: 'ogelbase.redisKeys',
  bundle: 'redis-keys',
  engine: 'redis',
  title: (ref) => `Keys: ${refName(ref)}`,
  attach: (host) => new KeyBrowserSession(host),
};

const REMOVALS: Partial<Record<EditOperation, string>> = { hashDelete: 'field', listRemove: 'element', setRemove: 'member', zsetRemove: 'member' };
const show = (key: KeyInput) => JSON.stringify((typeof key === 'string' ? key : key.name).slice(0, 120));
const cancelled = () => new EngineError('cancelled', 'cancelled');

/**
 * The host half of one key browser panel: every request becomes the engine operation of the same
 * name through DatabaseAccess (direct or through the platform, read-only enforced there and on the
 * server), with the webview's AbortSignal; destructive actions are confirmed here, in a modal
 * naming what goes, never trusted to the webview.
 */
class KeyBrowserSession implements InspectorSession<KeyTarget> {
  private readonly call: EngineCaller<RedisOperations>;
  private firstTarget: KeyTarget | undefined;

  constructor(private readonly host: InspectorHost<KeyTarget>) {
    this.call = host.access.operations<RedisOperations>(host.ref);
    this.firstTarget = host.target;
    const d = host.dispatcher;
    const call = this.call;
    d.onRequest(ScanKeys, (p, { signal }) => call('scanKeys', { ...p, count: host.config.scanCount }, signal));
    d.onRequest(GetKey, (p, { signal }) => call('getKey', p, signal));
    d.onRequest(ReadString, (p, { signal }) => call('readString', p, signal));
    d.onRequest(ReadHash, (p, { signal }) => call('readHash', { ...p, count: 200 }, signal));
    d.onRequest(ReadList, (p, { signal }) => call('readList', { ...p, count: 200 }, signal));
    d.onRequest(ReadSet, (p, { signal }) => call('readSet', { ...p, count: 200 }, signal));
    d.onRequest(ReadZset, (p, { signal }) => call('readZset', { ...p, count: 200 }, signal));
    d.onRequest(ReadZsetByScore, (p, { signal }) => call('readZsetByScore', { ...p, count: 200 }, signal));
    d.onRequest(ReadStream, (p, { signal }) => call('readStream', { ...p, count: 200 }, signal));
    d.onRequest(ReadJson, (p, { signal }) => call('readJson', p, signal));
    d.onRequest(ServerInfoRequest, (_p, { signal }) => call('serverInfo', {}, signal));
    d.onRequest(Edit, (p, { signal }) => this.edit(p.operation, p.params, signal));
    d.onRequest(CreateKey, (p, { signal }) => this.create(p, signal));
    d.onRequest(DeleteKeys, (p, { signal }) => this.deleteKeys(p.keys, signal));
    d.onRequest(DeleteMatching, (p) => this.deleteMatching(p.match));
  }

  async init(signal: AbortSignal): Promise<RedisKeysInit> {
    const target = this.firstTarget;
    this.firstTarget = undefined;
    const server = await this.call('serverInfo', {}, signal).catch((error: Error) => {
      this.host.log.warn(`[redis keys] server info of ${refName(this.host.ref)}: ${error.message}`);
      return undefined;
    });
    return { delimiter: this.host.config.keyDelimiter, scanCount: this.host.config.scanCount, pageSize: 500, ...(server ? { server } : {}), ...(target ? { target } : {}) };
  }

  navigate(target: KeyTarget): void {
    this.host.dispatcher.notify(Navigate, target);
  }

  dispose(): void {}

  private async confirm(message: string, detail: string, action: string): Promise<void> {
    if ((await this.host.prompts().confirm(message, detail, action)) !== action) throw cancelled();
  }

  private async edit(operation: EditOperation, params: Record<string, unknown>, signal: AbortSignal) {
    const what = REMOVALS[operation];
    if (what) {
      const count = ['fields', 'members'].map((k) => params[k]).find(Array.isArray)?.length ?? 1;
      await this.confirm(`Remove ${count === 1 ? `this ${what}` : `${count} ${what}s`} from ${show(params.key as KeyInput)}?`, `${refName(this.host.ref)}: this cannot be undone.`, 'Remove');
    }
    // The params were checked for shape by the protocol; the operation table checks their meaning.
    return this.call(operation, params as never, signal);
  }

  private async create(p: { type: string; key: string; ttl?: number; value: string; field?: string; score?: string }, signal: AbortSignal): Promise<{ key: KeyRef }> {
    if (p.type !== 'string') {
      const exists = await this.call('getKey', { key: p.key }, signal).then(
        () => true,
        (error: EngineError) => (error.code === 'not_found' ? false : Promise.reject(error)),
      );
      if (exists) throw new EngineError('invalid_input', `key ${show(p.key)} already exists: choose another name`);
    }
    const field = p.field ?? '';
    if ((p.type === 'hash' || p.type === 'stream') && field === '') throw new EngineError('invalid_input', `a ${p.type} needs a field name`);
    switch (p.type) {
      case 'string': {
        const { written } = await this.call('setString', { key: p.key, value: p.value, ifMissing: true, ...(p.ttl !== undefined ? { ttl: p.ttl } : {}) }, signal);
        if (!written) throw new EngineError('invalid_input', `key ${show(p.key)} already exists: choose another name`);
        return { key: { name: p.key } };
      }
      case 'hash':
        await this.call('hashSet', { key: p.key, field, value: p.value }, signal);
        break;
      case 'list':
        await this.call('listPush', { key: p.key, values: [p.value], end: 'tail' }, signal);
        break;
      case 'set':
        await this.call('setAdd', { key: p.key, members: [p.value] }, signal);
        break;
      case 'zset':
        await this.call('zsetAdd', { key: p.key, members: [{ member: p.value, score: parseScore(p.score ?? '') }] }, signal);
        break;
      case 'stream':
        await this.call('streamAdd', { key: p.key, fields: [{ field, value: p.value }] }, signal);
        break;
    }
    if (p.ttl !== undefined) await this.call('expire', { key: p.key, ttl: p.ttl }, signal);
    return { key: { name: p.key } };
  }

  private async deleteKeys(keys: KeyInput[], signal: AbortSignal): Promise<{ deleted: number }> {
    const first = show(keys[0]!);
    const message = keys.length === 1 ? `Delete key ${first}?` : `Delete ${keys.length} keys (${first} and ${keys.length - 1} more)?`;
    await this.confirm(message, `${refName(this.host.ref)}: the key${keys.length === 1 ? ' and its value are' : 's and their values are'} removed for good.`, 'Delete');
    return this.call('deleteKeys', { keys }, signal);
  }

  /** Counts with progress (cancellable), confirms with the count, then deletes in bounded steps with progress. */
  private async deleteMatching(match: string): Promise<{ deleted: number; counted: number }> {
    const name = refName(this.host.ref);
    const counted = await this.progress(`Counting keys matching ${JSON.stringify(match)} in ${name}…`, async (signal, report) => {
      let total = 0;
      for (let cursor: string | undefined; ; ) {
        const step = await this.call('countMatching', { match, ...(cursor ? { cursor } : {}) }, signal);
        total += step.counted;
        report(`${total.toLocaleString('en-US')} so far`);
        if (step.done) return total;
        cursor = step.cursor;
      }
    });
    if (counted === 0) throw new EngineError('not_found', `no key matches ${JSON.stringify(match)}`);
    await this.confirm(`Delete ${counted.toLocaleString('en-US')} key${counted === 1 ? '' : 's'} matching ${JSON.stringify(match)}?`, `${name}: keys created meanwhile that match are deleted too. This cannot be undone.`, 'Delete');
    const deleted = await this.progress(`Deleting keys matching ${JSON.stringify(match)} in ${name}…`, async (signal, report) => {
      let total = 0;
      for (let cursor: string | undefined; ; ) {
        const step = await this.call('deleteMatching', { match, ...(cursor ? { cursor } : {}) }, signal);
        total += step.deleted;
        report(`${total.toLocaleString('en-US')} of ~${counted.toLocaleString('en-US')} deleted`, (100 * step.deleted) / counted);
        if (step.done) return total;
        cursor = step.cursor;
      }
    });
    this.host.log.info(`[redis keys] deleted ${deleted} keys matching ${JSON.stringify(match)} in ${name}`);
    return { deleted, counted };
  }

  private progress<T>(title: string, work: (signal: AbortSignal, report: (message: string, increment?: number) => void) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          return await work(controller.signal, (message, increment) => progress.report({ message, ...(increment !== undefined ? { increment } : {}) }));
        } catch (error) {
          throw controller.signal.aborted ? cancelled() : error;
        } finally {
          subscription.dispose();
        }
      }),
    );
  }
}

/** A score as typed: a number, inf, +inf or -inf; anything else is refused with the reason. */
export function parseScore(text: string): ZsetScore {
  const t = text.trim().toLowerCase();
  if (t === 'inf' || t === '+inf') return 'inf';
  if (t === '-inf') return '-inf';
  const n = t === '' ? NaN : Number(t);
  if (!Number.isFinite(n)) throw new EngineError('invalid_input', `score: ${JSON.stringify(text.slice(0, 40))} is not a number (use digits, or inf / -inf)`);
  return n;
}
