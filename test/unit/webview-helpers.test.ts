/** The DOM-free helpers of the webviews: the virtual list's arithmetic and the byte formatting of the hex viewer. */
import assert from 'node:assert/strict';
import { base64ToBytes, bytesToBase64, escapeBytes, formatBytes, formatTtl, hexLine, hexLineCount, prettyJson } from '../../src/webviews/shared/bytes';
import { moveFocus, rowWindow, scrollToReveal } from '../../src/webviews/shared/range';

describe('webview helpers: the virtual list window', () => {
  it('renders only the rows in view plus the overscan, whatever the row count', () => {
    assert.deepEqual(rowWindow(0, 440, 22, 100_000, 8), { first: 0, end: 37 });
    const deep = rowWindow(22 * 50_000, 440, 22, 100_000, 8);
    assert.equal(deep.first, 50_000 - 8);
    assert.ok(deep.end - deep.first <= 21 + 16 + 1, `${deep.end - deep.first} rows rendered`);
    assert.deepEqual(rowWindow(22 * 99_999, 440, 22, 100_000), { first: 99_991, end: 100_000 });
    assert.deepEqual(rowWindow(0, 440, 22, 0), { first: 0, end: 0 });
    assert.deepEqual(rowWindow(1e9, 440, 22, 10), { first: 10, end: 10 });
  });

  it('scrolls just enough to reveal a row', () => {
    assert.equal(scrollToReveal(5, 0, 220, 22), 0);
    assert.equal(scrollToReveal(20, 0, 220, 22), 21 * 22 - 220);
    assert.equal(scrollToReveal(2, 200, 220, 22), 44);
  });

  it('moves the focus with arrows, pages, Home and End, clamped', () => {
    assert.equal(moveFocus('ArrowDown', 0, 10, 5), 1);
    assert.equal(moveFocus('ArrowUp', 0, 10, 5), 0);
    assert.equal(moveFocus('PageDown', 0, 10, 5), 4);
    assert.equal(moveFocus('End', 3, 10, 5), 9);
    assert.equal(moveFocus('Home', 3, 10, 5), 0);
    assert.equal(moveFocus('x', 3, 10, 5), undefined);
    assert.equal(moveFocus('ArrowDown', 0, 0, 5), undefined);
  });
});

describe('webview helpers: bytes as text', () => {
  it('dumps hex with an ASCII column, offsets from the window base', () => {
    const bytes = new Uint8Array([0x48, 0x69, 0x00, 0xff, 0x3c, 0x73, 0x63, 0x72, 0x69, 0x70, 0x74, 0x3e, 0x0a, 0x7f, 0x20, 0x41, 0x42]);
    const first = hexLine(bytes, 0, 0x100);
    assert.equal(first.offset, '00000100');
    assert.equal(first.hex, '48 69 00 ff 3c 73 63 72  69 70 74 3e 0a 7f 20 41');
    assert.equal(first.ascii, 'Hi..<script>.. A');
    assert.deepEqual(hexLine(bytes, 1), { offset: '00000010', hex: '42', ascii: 'B' });
    assert.equal(hexLineCount(17), 2);
  });

  it('escapes binary names the way redis-cli does, never as mojibake', () => {
    assert.equal(escapeBytes(new Uint8Array([0x6b, 0x3a, 0xff, 0xfe, 0x01, 0x5c])), 'k:\\xff\\xfe\\x01\\\\');
  });

  it('round-trips base64', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i % 256);
    assert.deepEqual(base64ToBytes(bytesToBase64(bytes)), bytes);
  });

  it('formats sizes, TTLs and JSON for people', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(50 * 1024 * 1024), '50 MiB');
    assert.equal(formatTtl(-1), 'no TTL');
    assert.equal(formatTtl(-2), 'expired');
    assert.equal(formatTtl(3700), '1 h 1 min');
    assert.equal(prettyJson('{"a":[1,2]}'), '{\n  "a": [\n    1,\n    2\n  ]\n}');
    assert.equal(prettyJson('42'), undefined);
    assert.equal(prettyJson('{"id": 12345678901234567890}'), undefined, 'big integers are not rounded by a re-format');
    assert.equal(prettyJson('{not json'), undefined);
  });
});

describe('key browser: exact names among patterns', () => {
  it('looks a pattern without glob characters up as one key, escapes undone', async () => {
    const { exactName } = await import('../../src/webviews/redis-keys/patterns');
    assert.equal(exactName('user:1'), 'user:1');
    assert.equal(exactName('a\\*b'), 'a*b');
    assert.equal(exactName('<script>'), '<script>');
    for (const glob of ['user:*', 'a?c', 'x[ab]', 'a\\\\*', '*', '']) assert.equal(exactName(glob), undefined, glob);
  });
});
