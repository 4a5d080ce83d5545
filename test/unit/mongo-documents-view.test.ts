/**
 * The document browser's pure parts, on Node: how canonical Extended JSON values read, the tree's
 * rows, the query bar's completion and error pointer, and the "Duplicate" template.
 */
import assert from 'node:assert/strict';
import { withoutId } from '../../src/host/mongodb/document-text';
import { columnsOf, viewOf } from '../../src/webviews/mongo-documents/ejson-view';
import { applySuggestion, completionContext, fieldOfError, locateMistake, pointAt, suggestions } from '../../src/webviews/mongo-documents/query-text';
import { ancestors, flattenTree, MAX_CHILDREN, pathOf } from '../../src/webviews/mongo-documents/tree-rows';

describe('document browser: values as people read them', () => {
  it('names every BSON type and shows it in mongosh words', () => {
    const cases: [unknown, string, string][] = [
      [{ $oid: '65a1b2c3d4e5f60718293a4b' }, 'ObjectId', "ObjectId('65a1b2c3d4e5f60718293a4b')"],
      [{ $date: { $numberLong: '0' } }, 'Date', '1970-01-01T00:00:00.000Z'],
      [{ $date: { $numberLong: '99999999999999999' } }, 'Date', 'Date(99999999999999999)'],
      [{ $numberInt: '3' }, 'Int32', '3'],
      [{ $numberLong: '9007199254740993' }, 'Int64', '9007199254740993'],
      [{ $numberDouble: '-0.0' }, 'Double', '-0.0'],
      [{ $numberDecimal: 'NaN' }, 'Decimal128', 'NaN'],
      [{ $binary: { base64: 'ASNFZ4mrze8BI0VniavN7w==', subType: '04' } }, 'UUID', "UUID('01234567-89ab-cdef-0123-456789abcdef')"],
      [{ $binary: { base64: 'AAECAw==', subType: '80' } }, 'Binary', 'Binary(subtype 0x80, 4 B)'],
      [{ $regularExpression: { pattern: 'a.b', options: 'imsx' } }, 'RegExp', '/a.b/imsx'],
      [{ $timestamp: { t: 4294967295, i: 4294967295 } }, 'Timestamp', 'Timestamp(4294967295, 4294967295)'],
      [{ $minKey: 1 }, 'MinKey', 'MinKey()'],
      [{ $maxKey: 1 }, 'MaxKey', 'MaxKey()'],
      [{ $code: 'f()' }, 'Code', 'Code("f()")'],
      [{ $symbol: 's' }, 'Symbol', 'Symbol("s")'],
      [{ $truncated: { type: 'binData', bytes: 1_048_576 } }, 'Truncated', 'binData, 1.0 MiB: open the document to see it'],
      ['<img src=x onerror=alert(1)>', 'String', '"<img src=x onerror=alert(1)>"'],
      ['line\nbreak', 'String', '"line\\nbreak"'],
      [null, 'Null', 'null'],
      [true, 'Boolean', 'true'],
      [[1, 2], 'Array', '[ 2 items ]'],
      [{ a: 1 }, 'Object', '{ 1 field }'],
      [{ $ref: 'c', $id: { $oid: '65a1b2c3d4e5f60718293a4b' } }, 'DBRef', 'DBRef("c", ObjectId(\'65a1b2c3d4e5f60718293a4b\'))'],
    ];
    for (const [value, type, text] of cases) assert.deepEqual([viewOf(value).type, viewOf(value).text], [type, text], JSON.stringify(value));
    assert.equal(viewOf('x'.repeat(1000)).text.length, 301, 'long strings are cut for a cell');
  });

  it('makes columns of the top-level fields, _id first, capped', () => {
    assert.deepEqual(columnsOf([{ b: 1, _id: 1 }, { c: 1, a: 2 }]), { fields: ['_id', 'b', 'c', 'a'], more: false });
    const wide = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, i]));
    assert.deepEqual(columnsOf([wide], 40).more, true);
  });
});

describe('document browser: the tree of documents', () => {
  const docs = [{ _id: { $oid: '65a1b2c3d4e5f60718293a4b' }, a: { b: [1, { c: 'x' }] }, 'dotted.key/slash': 1 }];

  it('lists documents collapsed, then the members of what is expanded, indented', () => {
    assert.deepEqual(flattenTree(docs, new Set()).map((r) => [r.depth, r.key]), [[0, "ObjectId('65a1b2c3d4e5f60718293a4b')"]]);
    const expanded = new Set([pathOf(0), pathOf(0, 'a'), pathOf(0, 'a', 'b')]);
    assert.deepEqual(
      flattenTree(docs, expanded).map((r) => [r.depth, r.key, r.view.type]),
      [[0, "ObjectId('65a1b2c3d4e5f60718293a4b')", 'Object'], [1, '_id', 'ObjectId'], [1, 'a', 'Object'], [2, 'b', 'Array'], [3, '0', 'Number'], [3, '1', 'Object'], [1, 'dotted.key/slash', 'Number']],
    );
    assert.deepEqual(ancestors(pathOf(0, 'a', 'b')), [pathOf(0), pathOf(0, 'a')]);
  });

  it('lists at most MAX_CHILDREN members of one array, and says how many more', () => {
    const big = [{ _id: 1, list: Array.from({ length: MAX_CHILDREN + 5 }, (_, i) => i) }];
    const rows = flattenTree(big, new Set([pathOf(0), pathOf(0, 'list')]));
    assert.equal(rows.length, 3 + MAX_CHILDREN + 1);
    assert.match(rows.at(-1)!.view.text, /^5 more/);
  });
});

describe('document browser: the query bar', () => {
  it('knows when a key is being typed, quoted or not, and not inside a string', () => {
    assert.deepEqual(completionContext('{na', 3), { start: 1, prefix: 'na', quoted: '' });
    assert.deepEqual(completionContext('{"a": 1, "ad', 12), { start: 10, prefix: 'ad', quoted: '"' });
    assert.deepEqual(completionContext('{"a": {$g', 9), { start: 7, prefix: '$g', quoted: '' });
    assert.equal(completionContext('{"a": na', 8), undefined, 'a value, not a key');
    assert.equal(completionContext('{"a": "{na', 10), undefined, 'inside a string');
  });

  it('suggests fields that start with the prefix, then those that contain it, and operators after $', () => {
    assert.deepEqual(suggestions(['name', 'address.name', 'age', 'nickname'], 'na'), ['name', 'address.name', 'nickname']);
    assert.deepEqual(suggestions([], '$gt'), ['$gte']);
    assert.deepEqual(suggestions(['a'], 'a'), [], 'what is typed already is not offered');
  });

  it('writes the chosen key quoted with its colon', () => {
    assert.deepEqual(applySuggestion('{na', 3, completionContext('{na', 3)!, 'name'), { text: '{"name": ', caret: 9 });
    assert.deepEqual(applySuggestion('{"na"}', 4, completionContext('{"na"}', 4)!, 'name'), { text: '{"name": }', caret: 9 });
  });

  it('finds where the engine says the mistake is, and draws a caret under it', () => {
    const message = "filter is not valid Extended JSON: unexpected '}' at line 1, column 7 (position 6)";
    assert.deepEqual(locateMistake(message), { field: 'filter', line: 1, column: 7, position: 6 });
    assert.deepEqual(locateMistake(`MongoDB: ${message.replace('filter', 'sort')}`)?.field, 'sort');
    assert.equal(locateMistake('MongoDB: the collection does not exist'), undefined);
    assert.equal(fieldOfError('MongoDB: filter uses $where at $where: it runs JavaScript on the database server'), 'filter');
    assert.deepEqual(pointAt('{"a": }', 6), { line: '{"a": }', caret: '      ^' });
    const long = `{"a": "${'x'.repeat(200)}", }`;
    const far = pointAt(long, long.length - 1);
    assert.ok(far.line.startsWith('…') && far.caret.endsWith('^') && far.caret.length <= 63);
    assert.deepEqual(pointAt('{\n  "a": 1,\n  b }', 17), { line: '  b }', caret: '     ^' });
  });
});

describe('document browser: the Duplicate template', () => {
  it('cuts the _id member out of canonical text and keeps every other field in place', () => {
    assert.equal(withoutId('{\n  "_id": {\n    "$oid": "65a1"\n  },\n  "10": 1,\n  "a": "x,}\\"_id"\n}'), '{\n  "10": 1,\n  "a": "x,}\\"_id"\n}');
    assert.equal(withoutId('{\n  "_id": "a\\"b",\n  "z": [1, {"_id": 2}]\n}'), '{\n  "z": [1, {"_id": 2}]\n}');
    assert.equal(withoutId('{\n  "_id": 1\n}'), '{\n  \n}');
    assert.equal(withoutId('{\n  "a": 1\n}'), '{\n  "a": 1\n}');
  });
});
