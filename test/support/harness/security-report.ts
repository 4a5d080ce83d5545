/**
 * Writes docs/security.md from what the attack suite (server/attacks) recorded while it ran: one row
 * per attack with who tried it, what was expected and what happened. Run by the `security` layer
 * after the attacks; it fails when the record is missing or any attack got through.
 *
 *   node --import tsx test/support/harness/security-report.ts <results dir>
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface AttackRow {
  /** Where: PostgreSQL, MongoDB, Redis, connection strings, tenants, limits, authentication, defaults. */
  area: string;
  attack: string;
  who: string;
  expected: string;
  result: string;
  passed: boolean;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n|\r/g, ' ').replace(/`/g, "'");

export function renderSecurityReport(rows: AttackRow[]): string {
  const areas = [...new Set(rows.map((r) => r.area))];
  const failed = rows.filter((r) => !r.passed).length;
  const lines = [
    '# Security: the attack suite',
    '',
    'Written by the `security` layer of `npm test` (`server/attacks/`, then `test/support/harness/security-report.ts`)',
    'from what each attack really did against the server, real PostgreSQL and Redis and the MongoDB wire',
    'test server: do not edit by hand. The rules these attacks check are described in the README',
    '("Security model").',
    '',
    `${rows.length} attacks, ${rows.length - failed} held, ${failed} got through.`,
    '',
  ];
  for (const area of areas) {
    lines.push(`## ${area}`, '', '| attack | who | expected | result |', '| --- | --- | --- | --- |');
    for (const row of rows.filter((r) => r.area === area)) {
      lines.push(`| ${cell(row.attack)} | ${cell(row.who)} | ${cell(row.expected)} | ${row.passed ? '' : '**GOT THROUGH:** '}${cell(row.result)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function main(): number {
  const resultsDir = resolve(process.argv[2] ?? 'test-results');
  const file = join(resultsDir, 'security-attacks.jsonl');
  if (!existsSync(file)) {
    console.error(`no attack record at ${file}: the attack suite did not run`);
    return 1;
  }
  const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AttackRow);
  // Stable order (the suite's files run in any order): by area as first seen in this list, then as recorded.
  const order = ['PostgreSQL', 'MongoDB', 'Redis', 'Connection strings', 'Tenants', 'Shared state and limits', 'Authentication and requests', 'Defaults', 'Properties'];
  rows.sort((a, b) => (order.indexOf(a.area) + 1 || 99) - (order.indexOf(b.area) + 1 || 99));
  const target = resolve(__dirname, '..', '..', '..', 'docs', 'security.md');
  writeFileSync(target, `${renderSecurityReport(rows)}\n`);
  const failed = rows.filter((r) => !r.passed);
  console.log(`docs/security.md: ${rows.length} attacks, ${failed.length} got through`);
  for (const row of failed) console.error(`GOT THROUGH: ${row.area}: ${row.attack} (${row.who}): expected ${row.expected}, got ${row.result}`);
  return rows.length > 0 && failed.length === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main());
