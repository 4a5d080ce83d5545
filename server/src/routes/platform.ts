import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { PLATFORM_API_VERSION } from '../../../src/core/api/types';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { errorResponses, json } from '../schemas/common';
import { ProjectRefSchema } from '../schemas/databases';
import { OrganizationSchema, ProfileSchema, ProjectSchema } from '../schemas/platform';
import type { OrganizationStore } from '../store/organizations';

export interface PlatformRouteDeps {
  organizations: OrganizationStore;
  serverVersion: string;
}

const SlugParam = z.object({ slug: z.string().min(1).max(63).openapi({ param: { name: 'slug', in: 'path' }, example: 'acme' }) });
const RefParam = z.object({ ref: ProjectRefSchema.openapi({ param: { name: 'ref', in: 'path' } }) });

/** Who the caller is, their organizations, and the projects of each: Supabase Studio's platform routes. */
export function registerPlatformRoutes(app: OpenAPIHono<AppEnv>, deps: PlatformRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/platform/profile',
      summary: 'The signed-in user, how they authenticated, and the API version',
      tags: ['platform'],
      responses: { 200: json(ProfileSchema, 'The caller'), ...errorResponses },
    }),
    (c) => {
      const p = c.get('principal');
      return c.json(
        { user: { id: p.userId, email: p.email, displayName: p.displayName }, authenticatedBy: p.authenticatedBy, apiVersion: PLATFORM_API_VERSION, serverVersion: deps.serverVersion },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/platform/organizations',
      summary: "The caller's organizations, with their role in each",
      tags: ['platform'],
      responses: { 200: json(z.array(OrganizationSchema), 'Organizations the caller belongs to'), ...errorResponses },
    }),
    async (c) => c.json(await deps.organizations.listForUser(c.get('principal').userId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/platform/organizations/{slug}/projects',
      summary: 'The projects of one organization',
      tags: ['platform'],
      request: { params: SlugParam },
      responses: { 200: json(z.array(ProjectSchema), 'Projects'), ...errorResponses },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      const organization = await deps.organizations.bySlugForUser(slug, c.get('principal').userId);
      if (!organization) throw notFound(`organization ${slug} was not found`);
      return c.json(await deps.organizations.projectsOf(organization.id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/platform/projects/{ref}',
      summary: 'One project by its ref',
      tags: ['platform'],
      request: { params: RefParam },
      responses: { 200: json(ProjectSchema, 'The project'), ...errorResponses },
    }),
    async (c) => {
      const { ref } = c.req.valid('param');
      const found = await deps.organizations.projectForUser(ref, c.get('principal').userId);
      if (!found) throw notFound(`project ${ref} was not found`);
      return c.json(found.project, 200);
    },
  );
}
