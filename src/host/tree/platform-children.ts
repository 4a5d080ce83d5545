import type { Profile } from '../../core/api/types';
import type { LocalConnection } from '../local/local-connection';
import type { SignedIn } from '../platform/session';
import { CommandIds } from '../commands/ids';
import { childId } from './ids';
import type { DatabaseNode, ExplorerNode, OrganizationNode, ProjectNode } from './nodes';
import { count } from './format';
import { slicePages, type ChildSource, type LoadContext } from './paging';

/**
 * The platform's own levels: organizations, their projects, and each project's databases (paged by
 * the API). Every call goes through the signed-in session's client; a node of another platform
 * (the user switched meanwhile) fails with a clear message instead of listing the wrong data.
 */

function clientFor(signedIn: () => SignedIn | undefined, platformUrl: string) {
  const current = signedIn();
  if (!current || current.platform.url !== platformUrl) throw new Error(`not signed in to ${platformUrl} any more`);
  return current.client;
}

export function organizationsSource(
  signedIn: () => SignedIn | undefined,
  rootId: string,
  /** Called once a restored session's token proved itself, with the profile fetched after it. */
  confirmed: (profile: Profile) => void,
  onProfileError: (error: unknown) => void,
): ChildSource {
  const session = signedIn();
  const platformUrl = session?.platform.url ?? '';
  return {
    what: `organizations of ${session?.platform.name ?? platformUrl}`,
    empty: { label: 'No organizations: ask an owner to invite you to one' },
    first: async () => {
      const client = clientFor(signedIn, platformUrl);
      const organizations = await client.organizations();
      // A session restored at activation has not met the server yet: its profile comes now, off the critical path.
      if (signedIn()?.profile === undefined) client.profile().then(confirmed, onProfileError);
      return {
        nodes: organizations.map((organization): OrganizationNode => ({ kind: 'organization', id: childId(rootId, 'org', organization.slug), platformUrl, organization })),
      };
    },
  };
}

export function projectsSource(signedIn: () => SignedIn | undefined, node: OrganizationNode, ctx: LoadContext): ChildSource {
  const { organization, platformUrl } = node;
  return {
    what: `projects of ${organization.name}`,
    empty: { label: `No projects in ${organization.name}` },
    first: async () => {
      const projects = await clientFor(signedIn, platformUrl).projects(organization.slug);
      return slicePages(projects, ctx.pageSize, (project): ProjectNode => ({ kind: 'project', id: childId(node.id, 'project', project.ref), platformUrl, organization, project }));
    },
  };
}

export function databasesSource(signedIn: () => SignedIn | undefined, node: ProjectNode, ctx: LoadContext): ChildSource {
  const { organization, platformUrl, project } = node;
  const page = async (offset: number) => {
    const result = await clientFor(signedIn, platformUrl).databases(project.ref, { limit: ctx.pageSize, offset });
    const shown = offset + result.databases.length;
    const nodes = result.databases.map(
      (info): DatabaseNode => ({
        kind: 'database',
        id: childId(node.id, 'db', info.id),
        ref: { scope: 'platform', platformUrl, organizationSlug: organization.slug, role: organization.role, info },
      }),
    );
    // An empty page ends the list even if `total` says otherwise (databases removed meanwhile).
    const more = result.databases.length > 0 && shown < result.total;
    return { nodes, next: more ? () => page(shown) : undefined, moreLabel: `Load more (${count(shown)} of ${count(result.total)})` };
  };
  return {
    what: `databases of ${project.name}`,
    empty: {
      label: 'No databases in this project yet',
      icon: 'add',
      command: { command: CommandIds.addDatabase, title: 'Add Database', arguments: [node] },
    },
    first: () => page(0),
  };
}

export function localDatabasesSource(connections: LocalConnection[], rootId: string, ctx: LoadContext): ChildSource {
  return {
    what: 'local connections',
    // No empty row: an empty view shows the welcome content with "Add Local Connection".
    first: () =>
      Promise.resolve(slicePages(connections, ctx.pageSize, (local): ExplorerNode => ({ kind: 'database', id: childId(rootId, 'db', local.id), ref: { scope: 'local', local } }))),
  };
}
