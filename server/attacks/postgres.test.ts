import { afterAll, beforeAll, describe, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { scramVerifier } from '../src/services/read-credentials';
import { registerSecret } from '../test/support/fixture';
import { answer, held, type Attack } from './support/record';
import { createWorld, servicesReady, victimIntact, type Reply, type World } from './support/world';

const PG = (attack: string, who: string, expected: string): Attack => ({ area: 'PostgreSQL', attack, who, expected });

describe.skipIf(!servicesReady)('attacks on PostgreSQL through the platform', () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld('pg');
  });
  afterAll(() => w?.close());

  const sql = (statement: string, token: string, id?: string, extra: Record<string, unknown> = {}) => w.op('postgres', 'query', { sql: statement, ...extra }, token, id);
  const explain = (statement: string, token: string, id?: string, extra: Record<string, unknown> = {}) => w.op('postgres', 'explain', { sql: statement, ...extra }, token, id);
  /** Refused (any 4xx) and the victim table untouched. */
  const refusedAndIntact = async (reply: Reply) => ({ result: `${answer(reply)}; victim ${(await victimIntact(w)) ? 'intact' : 'CHANGED'}`, ok: reply.status >= 400 && reply.status < 500 && (await victimIntact(w)) });

  test('the platform created a read-only role for the superuser-registered database, and none for the application login', async () => {
    const withRole = await w.call('GET', `/api/platform/databases/${w.ids.pg}`, w.who.owner);
    const without = await w.call('GET', `/api/platform/databases/${w.ids.pgNoReader}`, w.who.owner);
    held(PG('register a database whose stored login may create roles', 'owner', 'a read-only role is provisioned (readCredential: provisioned)'), `readCredential: ${withRole.body.readCredential}`, withRole.body.readCredential === 'provisioned');
    held(PG('register a database whose stored login may not create roles', 'owner', 'no read credential (readCredential: none)'), `readCredential: ${without.body.readCredential}`, without.body.readCredential === 'none');
    const client = await w.admin();
    const name = `ogelbase_ro_${w.ids.pg.replace(/-/g, '').slice(0, 20)}`;
    const { rows } = await client.query<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; member_of: string[]; authid: boolean; victim: boolean }>(
      `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb,
              ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = r.oid ORDER BY 1)::text[] AS member_of,
              has_table_privilege(r.oid, 'pg_catalog.pg_authid', 'SELECT') AS authid, has_table_privilege(r.oid, 'public.victim', 'SELECT') AS victim
       FROM pg_roles r WHERE r.rolname = $1`,
      [name],
    );
    await client.end();
    const role = rows[0];
    held(
      PG('inspect the provisioned role', 'the test, as superuser', 'LOGIN only: no superuser, CREATEROLE, CREATEDB or membership; reads victim, not pg_authid'),
      role ? `superuser ${role.rolsuper}, createrole ${role.rolcreaterole}, createdb ${role.rolcreatedb}, member of [${role.member_of.join(', ')}], reads victim ${role.victim}, reads pg_authid ${role.authid}` : 'no role found',
      !!role && !role.rolsuper && !role.rolcreaterole && !role.rolcreatedb && role.member_of.length === 0 && role.victim && !role.authid,
    );
  });

  test('a login that is a member of pg_read_all_data is refused as a read credential: it reads every password hash', async () => {
    const client = await w.admin();
    const reader = `readall_${Math.random().toString(36).slice(2, 8)}`;
    const password = `ra-${Math.random().toString(36).slice(2, 12)}`;
    registerSecret(password);
    await client.query(`CREATE ROLE ${reader} LOGIN PASSWORD ${client.escapeLiteral(scramVerifier(password))} IN ROLE pg_read_all_data`);
    const url = new URL(w.victim.url);
    url.username = reader;
    url.password = password;
    const reply = await w.call('PATCH', `/api/platform/databases/${w.ids.pgNoReader}`, w.who.owner, { readConnectionString: url.toString() });
    await client.query(`DROP ROLE ${reader}`);
    await client.end();
    held(
      PG('PATCH readConnectionString with a pg_read_all_data member', 'owner', '400: it can read pg_authid (password hashes)'),
      answer(reply),
      reply.status === 400 && /pg_authid/.test(reply.body.error?.message ?? ''),
    );
  });

  test("an owner's own read-only login (readConnectionString) is used for read_only members, and can be removed", async () => {
    const client = await w.admin();
    const reader = `reader_${Math.random().toString(36).slice(2, 8)}`;
    const password = `rd-${Math.random().toString(36).slice(2, 12)}`;
    registerSecret(password);
    await client.query(`CREATE ROLE ${reader} LOGIN PASSWORD ${client.escapeLiteral(scramVerifier(password))}`);
    await client.query(`GRANT SELECT ON victim TO ${reader}`);
    const url = new URL(w.victim.url);
    url.username = reader;
    url.password = password;
    const byDeveloper = await w.call('PATCH', `/api/platform/databases/${w.ids.pgNoReader}`, w.who.developer, { readConnectionString: url.toString() });
    held(PG('PATCH readConnectionString', 'developer', '403'), answer(byDeveloper, false), byDeveloper.status === 403);
    const given = await w.call('PATCH', `/api/platform/databases/${w.ids.pgNoReader}`, w.who.owner, { readConnectionString: url.toString() });
    const who = await sql('select current_user as u', w.who.readOnly, w.ids.pgNoReader);
    const drop = await sql('DROP TABLE victim', w.who.readOnly, w.ids.pgNoReader);
    held(
      PG('PATCH readConnectionString with a login that can only read, then query as read_only', 'owner, then read_only member', 'readCredential supplied; the query runs as that login; DROP refused'),
      `${answer(given, false)} ${given.body.readCredential}; current_user ${(who.body.rows as unknown[][] | undefined)?.[0]?.[0] === reader ? 'is the given login' : 'is ANOTHER login'}; DROP ${answer(drop, false)}`,
      given.body.readCredential === 'supplied' && (who.body.rows as unknown[][])[0]![0] === reader && drop.status >= 400 && (await victimIntact(w)),
    );
    const removed = await w.call('DELETE', `/api/platform/databases/${w.ids.pgNoReader}/read-credential`, w.who.owner);
    const after = await sql('select 1', w.who.readOnly, w.ids.pgNoReader);
    held(PG('DELETE …/read-credential, then query as read_only', 'owner, then read_only member', 'readCredential none; 403 read_credential_required'), `${removed.body.readCredential}; ${answer(after, false)}`, removed.body.readCredential === 'none' && after.status === 403);
    await client.query(`DROP OWNED BY ${reader}`);
    await client.query(`DROP ROLE ${reader}`);
    await client.end();
  });

  test('the \\r comment trick through EXPLAIN (the finding) is refused for everyone, the table stays', async () => {
    const trick = 'SELECT 1 --x\r; COMMIT; DROP TABLE victim --\n';
    for (const [who, token] of [['read_only member', w.who.readOnly], ['developer', w.who.developer]] as const) {
      const outcome = await refusedAndIntact(await explain(trick, token));
      held(PG('explain "SELECT 1 --x\\r; COMMIT; DROP TABLE victim --\\n"', who, 'refused as several statements; victim intact'), outcome.result, outcome.ok);
      const viaQuery = await refusedAndIntact(await sql(trick, token));
      held(PG('query "SELECT 1 --x\\r; COMMIT; DROP TABLE victim --\\n"', who, 'refused as several statements; victim intact'), viaQuery.result, viaQuery.ok);
    }
  });

  test('multi-statement and comment tricks on every SQL-taking operation', async () => {
    const tricks = [
      ['SELECT 1; DROP TABLE victim', 'two statements'],
      ['SELECT 1 /* outer /* nested */ still a comment */; DROP TABLE victim', 'nested /* */ comment'],
      ['SELECT $q$ ; $q$; DROP TABLE victim', 'dollar-quoted semicolon'],
      ["SELECT E'\\'; DROP TABLE victim; --'", 'E-string escaped quote'],
      ['SELECT 1 -- comment\rDROP TABLE victim', 'lone \\r ending a comment'],
      ['COMMIT; DROP TABLE victim', 'COMMIT to leave the read-only transaction'],
      ['SELECT 1\u2028; DROP TABLE victim', 'unicode line separator'],
    ];
    for (const [text, what] of tricks) {
      for (const [operation, run] of [['query', sql], ['explain', explain]] as const) {
        for (const [who, token] of [['read_only member', w.who.readOnly], ['developer', w.who.developer]] as const) {
          const reply = await run(text!, token);
          const intact = await victimIntact(w);
          // A developer may legitimately run one statement; what must never happen is the hidden second one.
          held(PG(`${operation}: ${what}`, who, 'the hidden DROP never runs; victim intact'), `${answer(reply, false)}; victim ${intact ? 'intact' : 'CHANGED'}`, intact && reply.status !== 500);
        }
      }
    }
  });

  test("a read_only member's SQL runs as the read-only role: server files, password hashes, configuration, other sessions and programs are refused", async () => {
    const bystander = await w.admin();
    const { rows } = await bystander.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    const marker = join(tmpdir(), `ogelbase-pwned-${Date.now()}`);
    const cases: [string, string][] = [
      ["select pg_read_file('/etc/hostname')", 'read a file of the database server'],
      ["select pg_ls_dir('.')", "list the data directory"],
      ['select * from pg_shadow', 'read password hashes'],
      ['select pg_reload_conf()', 'reload the server configuration'],
      [`select pg_terminate_backend(${pid})`, "kill another (superuser) session"],
      [`COPY (select 1) TO PROGRAM 'touch ${marker}'`, 'run a program on the database host (COPY TO PROGRAM)'],
      [`COPY victim FROM PROGRAM 'touch ${marker}'`, 'run a program (COPY FROM PROGRAM)'],
      [`select lo_export(lo_from_bytea(0, 'x'), '${marker}')`, 'write a server file (lo_export)'],
      ['DO $$ BEGIN RESET ROLE; DROP TABLE victim; END $$', 'DO block with RESET ROLE'],
      ['DO $$ BEGIN EXECUTE \'SET ROLE postgres\'; DROP TABLE victim; END $$', 'DO block with SET ROLE'],
      ['SET SESSION AUTHORIZATION postgres', 'SET SESSION AUTHORIZATION'],
      ['SET ROLE postgres', 'SET ROLE to the superuser'],
      ['DROP TABLE victim', 'drop the table'],
      ["UPDATE victim SET secret = 'owned'", 'change rows'],
      ['CREATE TABLE planted (x int)', 'create a table'],
      ['ALTER ROLE CURRENT_USER SUPERUSER', 'make itself superuser'],
    ];
    for (const [statement, what] of cases) {
      const reply = await sql(statement, w.who.readOnly);
      const outcome = await refusedAndIntact(reply);
      const sideEffect = existsSync(marker);
      const shown = statement.replace(String(pid), '<pid>').replace(marker, '/tmp/<marker>');
      held(PG(`query: ${what} ("${shown.slice(0, 60)}")`, 'read_only member', 'refused by PostgreSQL or the platform; no side effect'), `${outcome.result}${sideEffect ? '; FILE WRITTEN' : ''}`, outcome.ok && !sideEffect);
    }
    const alive = await bystander.query('SELECT 1').then(() => true, () => false);
    held(PG('the superuser session targeted by pg_terminate_backend', 'read_only member', 'still alive'), alive ? 'alive' : 'killed', alive);
    await bystander.end();

    // set_config cannot turn the boundary off: the next statement still runs as the read-only role.
    const flag = await sql("select set_config('default_transaction_read_only', 'off', false)", w.who.readOnly);
    const after = await refusedAndIntact(await sql('DROP TABLE victim', w.who.readOnly));
    held(PG("set_config('default_transaction_read_only','off',false), then DROP TABLE", 'read_only member', 'the DROP is refused; victim intact'), `${answer(flag, false)}, then ${after.result}`, after.ok);

    const dblink = await w.admin();
    await dblink.query('CREATE EXTENSION IF NOT EXISTS dblink');
    await dblink.end();
    const viaDblink = await refusedAndIntact(await sql(`select dblink_exec('dbname=${w.victim.name} user=postgres host=127.0.0.1', 'DROP TABLE victim')`, w.who.readOnly));
    held(PG('dblink_exec to the same server as postgres', 'read_only member', 'refused (no password, read-only role); victim intact'), viaDblink.result, viaDblink.ok);

    const reads = await sql('select count(*)::int as n from victim', w.who.readOnly);
    held(PG('select count(*) from victim', 'read_only member', 'allowed: it only reads'), `${reads.status}, ${JSON.stringify((reads.body.rows as unknown[])?.[0])}`, reads.status === 200);
  });

  test('without a read credential, read_only members browse but get 403 for raw SQL and EXPLAIN', async () => {
    for (const [name, run] of [['query', sql], ['explain', explain]] as const) {
      const reply = await run('select 1', w.who.readOnly, w.ids.pgNoReader);
      held(PG(`${name} "select 1" on a database without a read credential`, 'read_only member', '403 read_credential_required'), answer(reply, false), reply.status === 403 && reply.body.error?.code === 'read_credential_required');
      const passwordRead = await run("select pg_read_file('/etc/hostname')", w.who.readOnly, w.ids.pgNoReader);
      held(PG(`${name} pg_read_file on a database without a read credential`, 'read_only member', '403 read_credential_required'), answer(passwordRead, false), passwordRead.status === 403);
    }
    const page = await w.op('postgres', 'rowsPage', { schema: 'public', name: 'victim', pageSize: 5 }, w.who.readOnly, w.ids.pgNoReader);
    held(PG('rowsPage of victim on a database without a read credential', 'read_only member', 'allowed (the platform\'s own paging query)'), `${page.status}, ${(page.body.rows as unknown[] | undefined)?.length ?? 0} rows`, page.status === 200);
    const update = await w.op('postgres', 'updateCell', { schema: 'public', name: 'victim', key: { id: 1 }, column: 'secret', value: 'owned' }, w.who.readOnly, w.ids.pgNoReader);
    const outcome = await refusedAndIntact(update);
    held(PG('updateCell', 'read_only member', '403; victim intact'), outcome.result, outcome.ok && update.status === 403);
  });

  test('identifiers and pagination cursors cannot carry SQL', async () => {
    for (const [params, what] of [
      [{ schema: 'public', name: 'victim"; DROP TABLE victim; --', pageSize: 5 }, 'a table name with a quote'],
      [{ schema: 'public', name: 'victim', pageSize: 5, sort: [{ column: 'id"); DROP TABLE victim; --', direction: 'asc' }] }, 'a sort column with a quote'],
      [{ schema: 'public', name: 'victim', pageSize: 5, filters: [{ column: 'secret', op: '=', value: "x'; DROP TABLE victim; --" }] }, 'a filter value with a quote'],
      [{ schema: 'public', name: 'victim', pageSize: 5, after: Buffer.from('{"k":["1); DROP TABLE victim; --"]}').toString('base64url') }, 'a forged keyset cursor'],
    ] as const) {
      const reply = await w.op('postgres', 'rowsPage', params, w.who.developer);
      const intact = await victimIntact(w);
      held(PG(`rowsPage with ${what}`, 'developer', 'a value, never SQL: 200 or 4xx; victim intact'), `${answer(reply, false)}; victim ${intact ? 'intact' : 'CHANGED'}`, intact && reply.status < 500);
    }
  });

  test('only owners and admins change readOnly; every statement run through query is audited', async () => {
    const developerPatch = await w.call('PATCH', `/api/platform/databases/${w.ids.pgNoReader}`, w.who.developer, { readOnly: false });
    const flip = await w.call('PATCH', `/api/platform/databases/${w.ids.pgNoReader}`, w.who.developer, { readOnly: true });
    held(PG('PATCH readOnly', 'developer', '403'), answer(flip, false), flip.status === 403);
    held(PG('PATCH readOnly to its current value', 'developer', 'allowed (nothing changes)'), answer(developerPatch, false), developerPatch.status === 200);
    await w.call('PATCH', `/api/platform/databases/${w.ids.pgNoReader}`, w.who.admin, { readOnly: true });
    const back = await w.call('PATCH', `/api/platform/databases/${w.ids.pgNoReader}`, w.who.developer, { readOnly: false });
    held(PG('PATCH a read-only database back to readOnly:false', 'developer', '403'), answer(back, false), back.status === 403);
    const byAdmin = await w.call('PATCH', `/api/platform/databases/${w.ids.pgNoReader}`, w.who.admin, { readOnly: false });
    held(PG('PATCH readOnly', 'admin', 'allowed'), answer(byAdmin, false), byAdmin.status === 200 && byAdmin.body.readOnly === false);

    const statement = "UPDATE victim SET secret = secret WHERE id = 1 /* audited */";
    const ran = await sql(statement, w.who.developer);
    const audit = await w.f.platform.audit.list({ action: 'postgres.query' });
    const entry = audit.find((a) => (a.details as { statement?: string; chars?: number }).chars === statement.length && a.targetId === w.ids.pg);
    const details = JSON.stringify(entry?.details ?? {});
    held(
      PG('UPDATE through query (a write whose operation kind is read)', 'developer', 'runs, and the audit log has it: verb, length, fingerprint, no text'),
      `${ran.status}; audit ${entry ? details : 'missing'}`,
      ran.status === 200 && !!entry && details.includes('"statement":"UPDATE"') && !details.includes('secret = secret'),
    );
  });

  test('a statement past its time limit does not count against the circuit breaker', async () => {
    for (let i = 0; i < 6; i++) await sql('select pg_sleep(2)', w.who.developer, undefined, { timeoutMs: 100 });
    const after = await sql('select 1', w.who.developer);
    const metrics = await w.call('GET', '/api/platform/metrics', w.who.owner);
    const circuit = (metrics.body.circuits as { id: string; state: string; failures: number }[]).find((c) => c.id === w.ids.pg);
    held(
      PG('six deliberately slow queries (statement timeout)', 'developer', 'the circuit stays closed for everyone'),
      `next query ${after.status}; circuit ${circuit?.state} with ${circuit?.failures} failures`,
      after.status === 200 && circuit?.state === 'closed' && circuit.failures === 0,
    );
  });

  test('removing the database drops its read-only role', async () => {
    const created = await w.call('POST', '/api/platform/databases', w.who.owner, { projectRef: w.acme.projectRef, name: 'pg-temp', type: 'postgres', connectionString: w.victim.url });
    const id = created.body.id as string;
    const role = `ogelbase_ro_${id.replace(/-/g, '').slice(0, 20)}`;
    const exists = async () => {
      const client = new pg.Client({ connectionString: w.victim.url });
      await client.connect();
      const found = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount! > 0;
      await client.end();
      return found;
    };
    const before = await exists();
    await w.call('DELETE', `/api/platform/databases/${id}`, w.who.owner);
    const gone = !(await exists());
    held(PG('DELETE a database with a provisioned role', 'owner', 'the role is dropped on the database server'), `role existed ${before}, dropped ${gone}`, before && gone);
  });
});
