import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Organization, Project } from '../../src/core/api/types';
import { backends, createFixture, type Fixture, seedOrganization } from './support/fixture';

for (const backend of backends) {
  describe(`organizations and projects (${backend})`, () => {
    let f: Fixture;
    let acme: Awaited<ReturnType<typeof seedOrganization>>;
    let globex: Awaited<ReturnType<typeof seedOrganization>>;

    beforeAll(async () => {
      f = await createFixture(backend);
      acme = await seedOrganization(f, 'acme');
      globex = await seedOrganization(f, 'globex');
      await f.admin.createProject(acme.slug, `second-${f.id}`, 'Second project', 'eu-west');
    });
    afterAll(() => f.close());

    test("lists only the caller's organizations, with their role and project count", async () => {
      const response = await f.request('/api/platform/organizations', { token: acme.owner.token });
      expect(response.status).toBe(200);
      const organizations = (await response.json()) as Organization[];
      expect(organizations.map((o) => o.slug)).toEqual([acme.slug]);
      expect(organizations[0]).toMatchObject({ role: 'owner', projectCount: 2 });
    });

    test('lists the projects of an organization and gets one by ref', async () => {
      const projects = (await (await f.request(`/api/platform/organizations/${acme.slug}/projects`, { token: acme.owner.token })).json()) as Project[];
      expect(projects.map((p) => p.ref).sort()).toEqual([acme.projectRef, `second-${f.id}`].sort());
      const second = projects.find((p) => p.ref === `second-${f.id}`)!;
      expect(second).toMatchObject({ name: 'Second project', region: 'eu-west', organizationSlug: acme.slug, databaseCount: 0 });

      const one = await f.request(`/api/platform/projects/${acme.projectRef}`, { token: acme.owner.token });
      expect(one.status).toBe(200);
      expect(((await one.json()) as Project).ref).toBe(acme.projectRef);
    });

    test("another organization's organization and project are indistinguishable from ones that do not exist", async () => {
      const foreignOrg = await f.request(`/api/platform/organizations/${globex.slug}/projects`, { token: acme.owner.token });
      const missingOrg = await f.request('/api/platform/organizations/no-such-org/projects', { token: acme.owner.token });
      expect(foreignOrg.status).toBe(404);
      expect(missingOrg.status).toBe(404);
      const foreignBody = ((await foreignOrg.json()) as { error: { message: string } }).error.message;
      const missingBody = ((await missingOrg.json()) as { error: { message: string } }).error.message;
      expect(foreignBody.replace(globex.slug, 'X')).toBe(missingBody.replace('no-such-org', 'X'));

      const foreignProject = await f.request(`/api/platform/projects/${globex.projectRef}`, { token: acme.owner.token });
      expect(foreignProject.status).toBe(404);
      expect(JSON.stringify(await foreignProject.json())).not.toContain('globex project');
    });

    test('a read_only member sees the organization with their role', async () => {
      const viewer = await f.member(acme.slug, 'read_only');
      const organizations = (await (await f.request('/api/platform/organizations', { token: viewer.token })).json()) as Organization[];
      expect(organizations).toHaveLength(1);
      expect(organizations[0]!.role).toBe('read_only');
    });

    test('a malformed project ref is a 400 that names the path parameter', async () => {
      const response = await f.request('/api/platform/projects/NOT_A_REF', { token: acme.owner.token });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { details: { field: string }[] } };
      expect(body.error.details[0]!.field).toBe('path.ref');
    });
  });
}
