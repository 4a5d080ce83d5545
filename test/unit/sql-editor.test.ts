/**
 * The SQL editor's pure parts: which statements "Run" runs, error positions back to the document,
 * record counting of a streamed export, the relations a statement names (completion), the plan
 * text rebuilt from EXPLAIN's JSON, and what the query history keeps.
 */
import assert from 'node:assert/strict';
import { splitStatements } from '../../src/core/engines/postgres/sql-text';
import { RecordCounter } from '../../src/host/postgres/record-counter';
import { scrubSql } from '../../src/host/postgres/query-history';
import { sourcesOf, sqlName } from '../../src/host/postgres/sql-names';
import { errorPosition, offsetOf, statementsToRun } from '../../src/host/postgres/statements';
import { exclusive, planText, type PlanNode } from '../../src/webviews/pg-shared/plan-text';

describe('SQL editor helpers', () => {
  const doc = "SELECT 1;\n\n-- two\nSELECT ';' AS semi\n  FROM t;\nUPDATE t SET a = 1";

  it('runs the statement under the cursor, the one before it between statements, or every statement of a selection', () => {
    const at = (offset: number) => statementsToRun(splitStatements, doc, { start: offset, end: offset }).map((s) => s.text);
    assert.deepEqual(at(3), ['SELECT 1']);
    assert.deepEqual(at(doc.indexOf('FROM t')), ["-- two\nSELECT ';' AS semi\n  FROM t"]);
    assert.deepEqual(at(doc.length), ['UPDATE t SET a = 1']);
    assert.deepEqual(at(10), ['SELECT 1'], 'on the empty line after the first statement');
    const all = statementsToRun(splitStatements, doc, { start: 0, end: doc.length });
    assert.deepEqual(all.map((s) => doc.slice(s.offset, s.offset + s.text.length)), all.map((s) => s.text), 'offsets point into the document');
    assert.equal(all.length, 3);
    assert.deepEqual(statementsToRun(splitStatements, '  -- nothing\n', { start: 0, end: 0 }), []);
  });

  it('maps the engine’s (line, column) back to an offset, taking the last position of a message', () => {
    assert.deepEqual(errorPosition('column "(line 9, column 9)" does not exist (line 2, column 8). Hint: x'), { line: 2, column: 8 });
    assert.equal(errorPosition('relation "x" does not exist'), undefined);
    assert.equal(offsetOf('SELECT\n  nme FROM t', 2, 3), 9);
  });

  it('counts exported records across chunks, CSV quotes with newlines included', () => {
    const csv = new RecordCounter('csv');
    for (const chunk of ['a,b\r\n1,"x\n', 'y"\r\n2,', 'z\r\n']) csv.add(chunk);
    assert.equal(csv.rows, 2);
    const json = new RecordCounter('json');
    json.add(new TextEncoder().encode('[\n{"a":"x\\ny"},\n{"a":2}\n]\n'));
    assert.equal(json.rows, 2);
    assert.equal(json.bytes, 26);
  });

  it('finds the relations a statement names and their aliases; quotes names that need it', () => {
    assert.deepEqual(sourcesOf('SELECT o. FROM public.orders o JOIN "Odd ""x""" AS c ON c.id = o.c WHERE'), [
      { relation: ['public', 'orders'], alias: 'o' },
      { relation: ['Odd "x"'], alias: 'c' },
    ]);
    assert.deepEqual(sourcesOf('select * from items where id = 1'), [{ relation: ['items'], alias: undefined }]);
    assert.equal(sqlName('orders'), 'orders');
    assert.equal(sqlName('Odd "x"'), '"Odd ""x"""');
  });

  it('rebuilds the text plan from JSON, with each node’s own time', () => {
    const scan: PlanNode = { 'Node Type': 'Seq Scan', 'Relation Name': 'items', Alias: 'i', 'Startup Cost': 0, 'Total Cost': 20, 'Plan Rows': 1000, 'Plan Width': 8, 'Actual Startup Time': 0.01, 'Actual Total Time': 1.5, 'Actual Rows': 1000, 'Actual Loops': 1, Filter: '(id > 1)' };
    const root: PlanNode = { 'Node Type': 'Aggregate', Strategy: 'Hashed', 'Startup Cost': 25, 'Total Cost': 30, 'Plan Rows': 10, 'Plan Width': 16, 'Actual Startup Time': 2, 'Actual Total Time': 2.5, 'Actual Rows': 10, 'Actual Loops': 1, Plans: [scan] };
    const text = planText({ Plan: root, 'Execution Time': 2.6 });
    assert.match(text, /^HashAggregate {2}\(cost=25\.00\.\.30\.00 rows=10 width=16\) \(actual time=2\.000\.\.2\.500 rows=10 loops=1\)\n {2}-> {2}Seq Scan on items i/);
    assert.match(text, /Filter: \(id > 1\)\nExecution Time: 2\.600 ms$/);
    assert.equal(exclusive(root).time, 1);
    assert.equal(exclusive(root).cost, 10);
  });

  it('keeps no password of a statement in the history', () => {
    assert.equal(scrubSql("ALTER ROLE app PASSWORD 'it''s secret'"), "ALTER ROLE app PASSWORD '****'");
    assert.equal(scrubSql("SELECT dblink_connect('postgresql://u:hunter2@h/db')"), "SELECT dblink_connect('postgresql://u:****@h/db')");
  });
});
