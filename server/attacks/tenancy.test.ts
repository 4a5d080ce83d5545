import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { answer, held, type Attack } from './support/record';
import { createWorld, servicesReady, type World } from './support/world';

const T = (attack: string, who: string, expected: string): Attack => ({ area: 'Tenants', attack, who, expected });
const metricsToken = `metrics-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;

/** Routes that answer without a platform token, on purpose. */
const PUBLIC = new Set(['GET /health', 'GET /metrics', 'GET /api/platform/openapi.json']);

describe.skipIf(!servicesReady)('tenant isolation on every route', () => {
  let w: World;
  /** Every route, from the OpenAPI document and from what the app registered. */
  let routes: { method: string; path: string; documented: boolean; write: boolean }[];

  beforeAll(async () => {
    w = await createWorld('tenancy', { METRICS_TOKEN: metricsToken });
    const document = (await (await w.f.request('/api/platform/openapi.json')).json()) as { paths: Record<string, Record<string, { description?: string }>> };
    const documented = new Map<string, boolean>();
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, route] of Object.entries(methods)) documented.set(`${method.toUpperCase()} ${path}`, (route.description ?? '').startsWith('Changes data'));
    }
    const registered = w.f.platform.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const all = new Set([...documented.keys(), ...registered]);
    routes = [...all].map((key) => {
      const [method, path] = key.split(' ') as [string, string];
      return { method, path, documented: documented.has(key), write: documented.get(key) === true };
    });
  });
  afterAll(() => w?.close());

  test('every registered route is in the OpenAPI document, or is one of the three public ones', () => {
    const hidden = routes.filter((r) => !r.documented && !PUBLIC.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`);
    held(T(`walk ${routes.length} routes: app.routes against the OpenAPI document`, 'the test', 'no undocumented route'), hidden.length ? `undocumented: ${hidden.join(', ')}` : `${routes.length} routes, all documented or public`, hidden.length === 0);
    expect(routes.length).toBeGreaterThan(60);
  });

  test('a member of another organization gets 404 for every database-scoped route, whatever the body', async () => {
    const scoped = routes.filter((r) => r.path.includes('/databases/{id}'));
    const wrong: string[] = [];
    for (const route of scoped) {
      for (const body of [{}, { sql: 'select 1', db: 'admin', collection: 'x', key: 'k' }]) {
        const reply = await w.call(route.method, route.path.replace('{id}', w.ids.pg), w.who.outsider, route.method === 'GET' || route.method === 'DELETE' ? undefined : body);
        if (reply.status !== 404 || reply.body.error?.message !== `database ${w.ids.pg} was not found`) wrong.push(`${route.method} ${route.path}: ${reply.status}`);
      }
    }
    held(T(`${scoped.length} database-scoped routes, each with two bodies`, 'member of another organization', '404 "database … was not found", the same as for a database that does not exist'), wrong.length ? wrong.join('; ') : `${scoped.length * 2} requests, all 404`, wrong.length === 0);
    const missing = await w.call('GET', '/api/platform/databases/00000000-0000-4000-8000-000000000000', w.who.outsider);
    held(T('GET a database id that does not exist', 'member of another organization', 'the same 404 (no existence oracle)'), answer(missing), missing.status === 404);
  });

  test('other organization-scoped routes answer 404 to outsiders too', async () => {
    for (const [method, path] of [
      ['GET', `/api/platform/organizations/${w.acme.slug}/projects`],
      ['GET', `/api/platform/projects/${w.acme.projectRef}`],
      ['GET', `/api/platform/databases?projectRef=${w.acme.projectRef}`],
    ] as const) {
      const reply = await w.call(method, path, w.who.outsider);
      held(T(`${method} ${path.replace(w.acme.slug, '<acme>').replace(w.acme.projectRef, '<acme project>')}`, 'member of another organization', '404'), answer(reply, false), reply.status === 404);
    }
    const create = await w.call('POST', '/api/platform/databases', w.who.outsider, { projectRef: w.acme.projectRef, name: 'planted', type: 'redis', connectionString: 'redis://h:6379' });
    held(T("POST /databases into acme's project", 'member of another organization', '404'), answer(create, false), create.status === 404);
  });

  test('a read_only member gets 403 for every write, whatever the body', async () => {
    const writes = routes.filter((r) => r.path.includes('/databases/{id}') && (r.write || r.method === 'PATCH' || r.method === 'DELETE' || /\/(reveal|read-credential)$/.test(r.path)));
    const wrong: string[] = [];
    for (const route of writes) {
      const id = route.path.includes('/redis/') ? w.ids.redis : route.path.includes('/mongodb/') ? w.ids.mongo : w.ids.pg;
      const reply = await w.call(route.method, route.path.replace('{id}', id), w.who.readOnly, route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
      if (reply.status !== 403) wrong.push(`${route.method} ${route.path}: ${reply.status}`);
    }
    held(T(`${writes.length} write routes (engine writes, PATCH, DELETE, reveal, read-credential)`, 'read_only member', '403 before the body is read'), wrong.length ? wrong.join('; ') : `${writes.length} requests, all 403`, wrong.length === 0 && writes.length > 25);
    for (const route of ['/api/platform/test-connection', '/api/platform/redis/test-connection']) {
      const body = route.includes('/redis/') ? { connectionString: 'redis://127.0.0.1:6379/0' } : { type: 'redis', connectionString: 'redis://127.0.0.1:6379/0' };
      const reply = await w.call('POST', route, w.who.readOnly, body);
      held(T(`POST ${route}`, 'read_only member', '403: reaching servers needs a writer role'), answer(reply, false), reply.status === 403);
    }
  });

  test('/metrics wants the metrics token and labels series by database id, never by the tenants\' names', async () => {
    await w.op('postgres', 'listSchemas', {}, w.who.owner);
    await w.call('POST', `/api/platform/databases/${w.ids.globexPg}/postgres/listSchemas`, w.globex.owner.token, {});
    const anonymous = await w.f.request('/metrics');
    held(T('GET /metrics without a token', 'anyone', '401'), `${anonymous.status}`, anonymous.status === 401);
    const withUserToken = await w.f.request('/metrics', { token: w.who.owner });
    held(T("GET /metrics with a user's API token", 'owner', '401 (only METRICS_TOKEN opens it)'), `${withUserToken.status}`, withUserToken.status === 401);
    const scraped = await w.f.request('/metrics', { token: metricsToken });
    const text = await scraped.text();
    const labelled = [...text.matchAll(/ogelbase_circuit_open\{database="([^"]+)"\}/g)].map((m) => m[1]!);
    held(
      T('GET /metrics with METRICS_TOKEN, two organizations each with a database named pg-main', 'the scraper', 'two series labelled by id; no database name in the text'),
      `${scraped.status}; circuit series for ${labelled.includes(w.ids.pg) && labelled.includes(w.ids.globexPg) ? 'both ids' : labelled.join(', ')}; names ${text.includes('pg-main') ? 'PRESENT' : 'absent'}`,
      scraped.status === 200 && labelled.includes(w.ids.pg) && labelled.includes(w.ids.globexPg) && !text.includes('pg-main'),
    );
  });

  test("/api/platform/metrics shows the caller's organizations only", async () => {
    const asGlobex = await w.call('GET', '/api/platform/metrics', w.globex.owner.token);
    const ids = (asGlobex.body.circuits as { id: string }[]).map((c) => c.id);
    held(
      T('GET /api/platform/metrics', 'member of another organization', "no circuit of acme's databases (names, states, failures)"),
      `${asGlobex.status}; circuits: ${ids.map((id) => (id === w.ids.globexPg ? 'globex pg-main' : Object.values(w.ids).includes(id) ? 'ACME' : 'other')).join(', ') || 'none'}`,
      asGlobex.status === 200 && !ids.some((id) => id !== w.ids.globexPg && Object.values(w.ids).includes(id)),
    );
  });

  test("the platform's own MongoDB is for its operators only", async () => {
    for (const [who, token] of [['owner', w.who.owner], ['developer', w.who.developer], ['read_only member', w.who.readOnly], ['member of another organization', w.who.outsider]] as const) {
      const reply = await w.call('GET', '/api/platform/mongodb/databases', token);
      held(T('GET /api/platform/mongodb/databases', who, '403 (PLATFORM_OPERATORS only)'), answer(reply, false), reply.status === 403);
    }
  });
});
