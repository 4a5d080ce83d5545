/**
 * The webview protocol machinery every inspector stands on (src/webviews/protocol/base.ts and the
 * host's MessageDispatcher), without VS Code: what the host answers to good, bad and hostile
 * messages, cancellation by id, and the ready handshake holding notifications back.
 */
import assert from 'node:assert/strict';
import * as z from 'zod/mini';
import { MessageDispatcher } from '../../src/host/webviews/dispatcher';
import { command, notification, readyRequest, request, type HostMessage } from '../../src/webviews/protocol/base';

const Echo = request<{ echoed: string }>()('test/echo', z.strictObject({ text: z.string().check(z.maxLength(10)) }));
const Slow = request<string>()('test/slow', z.strictObject({}));
const Fail = request<never>()('test/fail', z.strictObject({ secret: z.string() }));
const Note = command('test/note', z.strictObject({ n: z.number() }));
const Pushed = notification<{ at: number }>()('test/pushed');
const Ready = readyRequest<{ hello: string }>();

function harness() {
  const posted: HostMessage[] = [];
  const logged: string[] = [];
  const dispatcher = new MessageDispatcher({ post: (m) => posted.push(m), log: { warn: (m) => logged.push(m), error: (m) => logged.push(m) }, scope: 'test' });
  const notes: number[] = [];
  let slowSignal: AbortSignal | undefined;
  let release: () => void = () => undefined;
  dispatcher.onRequest(Echo, (p) => ({ echoed: p.text }));
  dispatcher.onRequest(Slow, (_p, { signal }) => {
    slowSignal = signal;
    return new Promise<string>((resolve) => (release = () => resolve('late')));
  });
  dispatcher.onRequest(Fail, (p) => {
    throw Object.assign(new Error(`redis://default:${p.secret}@db:6379 refused`), { code: 'unreachable' });
  });
  dispatcher.onCommand(Note, (p) => void notes.push(p.n));
  dispatcher.onRequest(Ready, () => ({ database: {} as never, init: { hello: 'there' } }));
  return { dispatcher, posted, logged, notes, slow: () => ({ signal: slowSignal, release }) };
}

const last = (posted: HostMessage[]) => posted.at(-1)!;

describe('webview protocol: the host dispatcher', () => {
  it('answers a valid request with a response carrying its id', async () => {
    const { dispatcher, posted } = harness();
    await dispatcher.receive({ type: 'request', id: 7, method: 'test/echo', params: { text: 'hi' } });
    assert.deepEqual(last(posted), { type: 'response', id: 7, result: { echoed: 'hi' } });
  });

  it('answers invalid params with an invalid_params error naming the field, and runs nothing', async () => {
    const { dispatcher, posted } = harness();
    await dispatcher.receive({ type: 'request', id: 1, method: 'test/echo', params: { text: 'far too long a text' } });
    const reply = last(posted);
    assert.equal(reply.type, 'error');
    assert.equal(reply.type === 'error' && reply.id, 1);
    assert.equal(reply.type === 'error' && reply.error.code, 'invalid_params');
    assert.match(reply.type === 'error' ? reply.error.message : '', /^text: /);
    await dispatcher.receive({ type: 'request', id: 2, method: 'test/echo', params: { text: 'ok', extra: '<script>' } });
    assert.equal((last(posted) as { error: { code: string } }).error.code, 'invalid_params');
  });

  it('answers an unknown method, a broken envelope and hostile values with errors, never a throw', async () => {
    const { dispatcher, posted, logged } = harness();
    await dispatcher.receive({ type: 'request', id: 3, method: 'test/nope', params: {} });
    assert.deepEqual((last(posted) as { error: unknown }).error, { code: 'unknown_method', message: 'unknown request test/nope' });
    for (const bad of [undefined, null, 42, 'ready', [], { type: 'request' }, { type: 'request', id: -1, method: 'test/echo' }, { type: 'request', id: 1.5, method: 'x' }, { type: 'evil', id: 4 }, { type: 'request', id: 5, method: '../../etc' }, { type: 'command', method: 'test/note', params: { n: 'NaN' } }]) {
      const before = posted.length;
      await dispatcher.receive(bad);
      assert.equal(posted.length, before + 1, `no reply to ${JSON.stringify(bad)}`);
      assert.equal(last(posted).type, 'error');
    }
    const cyclic: Record<string, unknown> = { type: 'request', id: 9, method: 'test/echo' };
    cyclic.params = cyclic;
    await dispatcher.receive(cyclic);
    assert.equal((last(posted) as { error: { code: string } }).error.code, 'invalid_message');
    await dispatcher.receive({ type: 'request', id: 10, method: 'test/echo', params: { text: 'x'.repeat(7 * 1024 * 1024) } });
    assert.match((last(posted) as { error: { message: string } }).error.message, /over the 6 MiB limit/);
    assert.ok(logged.length >= 10, 'refusals are logged');
  });

  it('keeps the id of a broken request when it has one, so the webview can settle it', async () => {
    const { dispatcher, posted } = harness();
    await dispatcher.receive({ type: 'request', id: 12, method: 'test/echo', params: { text: 'ok' }, extra: true });
    assert.equal((last(posted) as { id: number | null }).id, 12);
  });

  it("turns a handler's error into an error reply with its code, secrets masked", async () => {
    const { dispatcher, posted } = harness();
    await dispatcher.receive({ type: 'request', id: 4, method: 'test/fail', params: { secret: 'hunter2' } });
    const reply = last(posted) as { type: string; error: { code: string; message: string } };
    assert.equal(reply.type, 'error');
    assert.equal(reply.error.code, 'unreachable');
    assert.ok(!reply.error.message.includes('hunter2'), reply.error.message);
  });

  it('aborts the signal of a cancelled request and answers it with cancelled, not its late result', async () => {
    const { dispatcher, posted, slow } = harness();
    const running = dispatcher.receive({ type: 'request', id: 5, method: 'test/slow', params: {} });
    await new Promise((r) => setImmediate(r));
    assert.equal(dispatcher.pending, 1);
    await dispatcher.receive({ type: 'cancel', id: 5 });
    assert.equal(slow().signal?.aborted, true);
    slow().release();
    await running;
    assert.deepEqual(last(posted), { type: 'error', id: 5, error: { code: 'cancelled', message: 'cancelled' } });
    assert.equal(dispatcher.pending, 0);
  });

  it('refuses a second request with an id still running', async () => {
    const { dispatcher, posted, slow } = harness();
    const running = dispatcher.receive({ type: 'request', id: 6, method: 'test/slow', params: {} });
    await new Promise((r) => setImmediate(r));
    await dispatcher.receive({ type: 'request', id: 6, method: 'test/echo', params: { text: 'x' } });
    assert.match((last(posted) as { error: { message: string } }).error.message, /already in use/);
    slow().release();
    await running;
  });

  it('holds notifications until the ready handshake is answered, then posts them in order', async () => {
    const { dispatcher, posted } = harness();
    dispatcher.notify(Pushed, { at: 1 });
    dispatcher.notify(Pushed, { at: 2 });
    assert.equal(posted.length, 0);
    await dispatcher.receive({ type: 'request', id: 1, method: 'webview/ready', params: {} });
    assert.deepEqual(posted.map((m) => m.type), ['response', 'notification', 'notification']);
    assert.deepEqual((posted[0] as { result: { init: unknown } }).result.init, { hello: 'there' });
    dispatcher.notify(Pushed, { at: 3 });
    assert.deepEqual(last(posted), { type: 'notification', method: 'test/pushed', params: { at: 3 } });
  });

  it('a second handshake (the document was recreated) aborts what the old document asked for', async () => {
    const { dispatcher, slow } = harness();
    await dispatcher.receive({ type: 'request', id: 1, method: 'webview/ready', params: {} });
    const running = dispatcher.receive({ type: 'request', id: 2, method: 'test/slow', params: {} });
    await new Promise((r) => setImmediate(r));
    await dispatcher.receive({ type: 'request', id: 1, method: 'webview/ready', params: {} });
    assert.equal(slow().signal?.aborted, true);
    slow().release();
    await running;
  });

  it('runs commands with validated params and answers nothing on success', async () => {
    const { dispatcher, posted, notes } = harness();
    await dispatcher.receive({ type: 'command', method: 'test/note', params: { n: 3 } });
    assert.deepEqual(notes, [3]);
    assert.equal(posted.length, 0);
  });

  it('after dispose, aborts running work and posts nothing more', async () => {
    const { dispatcher, posted, slow } = harness();
    const running = dispatcher.receive({ type: 'request', id: 8, method: 'test/slow', params: {} });
    await new Promise((r) => setImmediate(r));
    dispatcher.dispose();
    assert.equal(slow().signal?.aborted, true);
    slow().release();
    await running;
    await dispatcher.receive({ type: 'request', id: 9, method: 'test/echo', params: { text: 'x' } });
    assert.equal(posted.length, 0);
  });
});
