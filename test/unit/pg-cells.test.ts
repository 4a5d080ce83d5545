/**
 * How the table inspector and the results panel show PostgreSQL values (src/webviews/pg-shared/cells.ts):
 * hostile values are text, never markup; `\r`, unicode and bidi controls kept; huge text and bytea
 * bounded in a cell, whole (or cut with their size) in the value panel. The cell node is built with
 * textContent only: a recording fake document refuses innerHTML/outerHTML.
 */
import assert from 'node:assert/strict';
import type { Cell, Column } from '../../src/core/engines/postgres/values';
import { fullText, isCut, oneLine } from '../../src/webviews/pg-shared/cell-text';

// cells.ts builds DOM nodes; imported by path so the Node-typed test program does not take in the DOM types.
const cellsModule = '../../src/webviews/pg-shared/cells';
let cellNode: (value: Cell) => unknown;
before(async () => {
  ({ cellNode } = (await import(cellsModule)) as { cellNode: typeof cellNode });
});

const text: Column = { name: 't', type: 'text', typeOid: 25 } as Column;
const jsonb: Column = { name: 'j', type: 'jsonb', typeOid: 3802 } as Column;
const bytea: Column = { name: 'b', type: 'bytea', typeOid: 17 } as Column;
const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

interface FakeElement {
  tag: string;
  className: string;
  textContent: string;
  attributes: Record<string, string>;
  children: unknown[];
}

/** A document whose elements record what is set on them and throw when markup would be parsed. */
function withFakeDocument<T>(run: () => T): T {
  const make = (tag: string): FakeElement => {
    const element = { tag, className: '', textContent: '', attributes: {} as Record<string, string>, children: [] as unknown[] };
    for (const forbidden of ['innerHTML', 'outerHTML']) {
      Object.defineProperty(element, forbidden, { set: () => assert.fail(`${forbidden} was set`), get: () => assert.fail(`${forbidden} was read`) });
    }
    return Object.assign(element, {
      setAttribute: (name: string, value: string) => void (element.attributes[name] = value),
      appendChild: (child: unknown) => void element.children.push(child),
      addEventListener: () => undefined,
      insertAdjacentHTML: () => assert.fail('insertAdjacentHTML was called'),
    });
  };
  const previous = (globalThis as { document?: unknown }).document;
  (globalThis as { document?: unknown }).document = { createElement: make, createTextNode: (t: string) => ({ text: t }) };
  try {
    return run();
  } finally {
    (globalThis as { document?: unknown }).document = previous;
  }
}

describe('table inspector cells: hostile values are text', () => {
  const hostile = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'a\rb\r\nc', 'ü 😀 \u202eevil', "'; DROP TABLE t; --"];

  it('shows markup and unicode as the very characters; line breaks and bidi controls as escapes in a cell, as they are in the value panel', () => {
    const shown = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'a\\rb\\r\\nc', 'ü 😀 \\u202eevil', "'; DROP TABLE t; --"];
    for (const [i, value] of hostile.entries()) {
      assert.equal(oneLine(value), shown[i]);
      assert.equal(fullText(value, text), value);
      const node = withFakeDocument(() => cellNode(value)) as unknown as FakeElement;
      assert.equal(node.tag, 'span');
      assert.equal(node.textContent, shown[i]);
      assert.equal(node.children.length, 0, 'no child nodes made from a value');
      assert.match(node.className, /\btext\b/);
    }
  });

  it('tells NULL, the empty string and the text "NULL" apart', () => {
    const [nul, empty, word] = withFakeDocument(() => [cellNode(null), cellNode(''), cellNode('NULL')]) as unknown as FakeElement[];
    assert.match(nul!.className, /\bnull\b/);
    assert.equal(nul!.textContent, 'NULL');
    assert.match(empty!.className, /\bempty\b/);
    assert.equal(empty!.textContent, "''");
    assert.match(word!.className, /\btext\b/);
    assert.equal(word!.textContent, 'NULL');
  });

  it('bounds huge text in a cell and shows a value the engine cut with its whole size', () => {
    const long = 'é'.repeat(10_000);
    assert.equal(oneLine(long), `${'é'.repeat(500)}…`);
    assert.equal(fullText(long, text), long);
    const cut: Cell = { $text: 'x'.repeat(65_536), truncated: true, size: 200_000 };
    assert.equal(isCut(cut), true);
    assert.match(oneLine(cut), /^x{500}… \(195 KiB\)$/);
    assert.equal(fullText(cut, text).length, 65_536);
  });

  it('shows bytea as hex, never as decoded text, cut in a cell and whole in the panel', () => {
    const bytes: Cell = { $bytes: b64([0x3c, 0x73, 0x63, 0x72, 0x69, 0x70, 0x74, 0x3e, 0x00, 0xff, 0x0d]) };
    assert.equal(oneLine(bytes), '\\x3c7363726970743e00ff0d');
    assert.equal(fullText(bytes, bytea), '\\x3c7363726970743e00ff0d');
    const many: Cell = { $bytes: b64(Array.from({ length: 40 }, (_, i) => i)) };
    assert.match(oneLine(many), /^\\x000102.{58}…$/);
    assert.equal(fullText(many, bytea).length, 2 + 80);
    const cut: Cell = { $bytes: b64([1, 2, 3]), truncated: true, size: 5 * 1024 * 1024 };
    assert.equal(oneLine(cut), '\\x010203 (5.0 MiB)');
    const node = withFakeDocument(() => cellNode(bytes)) as unknown as FakeElement;
    assert.match(node.className, /\bbytes\b/);
  });

  it('shows JSON holding markup as JSON text, and arrays in PostgreSQL notation', () => {
    const doc = { html: '<script>x</script>', nested: ['\r'] };
    assert.equal(oneLine(doc), '{"html":"<script>x</script>","nested":["\\r"]}');
    assert.equal(fullText(doc, jsonb), JSON.stringify(doc, null, 2));
    assert.equal(oneLine(['<b>', 'b c', '', null]), '{<b>, "b c", "", NULL}');
  });
});
