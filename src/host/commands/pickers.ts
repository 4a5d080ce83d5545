import type * as vscode from 'vscode';
import type { Organization, Project } from '../../core/api/types';
import { ENGINE_LABEL, type EngineType } from '../../core/connection-strings';
import type { DatabaseRef } from '../access/database-ref';
import type { Explorer } from '../explorer';
import type { SignedIn } from '../platform/session';
import { plural } from '../tree/format';
import { required } from './support';

/** Where a new platform database goes. */
export interface ProjectTarget {
  organization: Organization;
  project: Project;
}

type Item<T> = vscode.QuickPickItem & { value: T };

/** Picks one of several; a single choice is taken without asking. */
async function pickOne<T>(explorer: Explorer, items: Item<T>[], options: vscode.QuickPickOptions, empty: string): Promise<T> {
  if (items.length === 0) throw new Error(empty);
  if (items.length === 1) return items[0]!.value;
  return required(await explorer.prompts.pick(items, options)).value;
}

/** Organization, then project, through the platform; `writable` keeps the organizations where the caller may add databases. */
export async function pickProject(explorer: Explorer, signedIn: SignedIn, options: { title: string; writable: boolean }): Promise<ProjectTarget> {
  const organizations = (await signedIn.client.organizations()).filter((o) => !options.writable || o.role !== 'read_only');
  const organization = await pickOne(
    explorer,
    organizations.map((o) => ({ label: o.name, description: o.slug, detail: `${o.role} · ${plural(o.projectCount, 'project')}`, value: o })),
    { title: `${options.title}: organization`, placeHolder: 'Which organization?' },
    options.writable
      ? `You have no organization on ${signedIn.platform.name} where you may add databases (it needs the owner, admin or developer role).`
      : `You belong to no organization on ${signedIn.platform.name}.`,
  );
  const projects = await signedIn.client.projects(organization.slug);
  const project = await pickOne(
    explorer,
    projects.map((p) => ({ label: p.name, description: p.ref, detail: `${plural(p.databaseCount, 'database')}${p.region ? ` · ${p.region}` : ''}`, value: p })),
    { title: `${options.title}: project`, placeHolder: `Which project of ${organization.name}?` },
    `Organization ${organization.name} has no project yet.`,
  );
  return { organization, project };
}

/** A database for a command run from the palette: a local connection, or one of a platform project. */
export async function pickDatabase(explorer: Explorer, title: string, engine?: EngineType): Promise<DatabaseRef> {
  const signedIn = explorer.session.signedIn;
  const local: Item<DatabaseRef | 'platform'>[] = explorer.local.list().filter((c) => !engine || c.type === engine).map((c) => ({
    label: c.name,
    description: `local · ${ENGINE_LABEL[c.type]}`,
    detail: c.endpoint,
    value: { scope: 'local', local: c },
  }));
  const platform: Item<DatabaseRef | 'platform'>[] = signedIn ? [{ label: `$(cloud) A database of ${signedIn.platform.name}…`, description: 'pick organization, project and database', value: 'platform' }] : [];
  const chosen = await pickOne(explorer, [...platform, ...local], { title, placeHolder: 'Which database?' }, 'No database to choose from: sign in to a platform or add a local connection.');
  if (chosen !== 'platform') return chosen;
  const { organization, project } = await pickProject(explorer, signedIn!, { title, writable: false });
  const { databases } = await signedIn!.client.databases(project.ref, { limit: 500, offset: 0 });
  const info = await pickOne(
    explorer,
    databases.filter((d) => !engine || d.type === engine).map((d) => ({ label: d.name, description: ENGINE_LABEL[d.type], detail: d.endpoint, value: d })),
    { title: `${title}: database`, placeHolder: `Which database of ${project.name}?` },
    engine ? `Project ${project.name} has no ${ENGINE_LABEL[engine]} database.` : `Project ${project.name} has no database yet.`,
  );
  return { scope: 'platform', platformUrl: signedIn!.platform.url, organizationSlug: organization.slug, role: organization.role, info };
}
