import type * as vscode from 'vscode';
import type { TestConnectionResult } from '../../core/api/types';
import { ENGINE_LABEL, type EngineType } from '../../core/connection-strings';
import type { Explorer } from '../explorer';
import type { ProjectNode } from '../tree/nodes';
import { CommandIds } from './ids';
import { pickProject, type ProjectTarget } from './pickers';
import { askConnectionString, askDescription, askEngine, askName, askReadOnly, localTester, platformTester, testBeforeSaving, type Tester } from './questions';
import { registerCommand } from './register';
import { asNode, describeProbe, info, requireSignedIn, withProgress } from './support';

interface Answers {
  type: EngineType;
  name: string;
  connectionString: string;
  readOnly: boolean;
  description: string | null;
  tested: TestConnectionResult | undefined;
}

/**
 * The questions of Add Database and Add Local Connection, in order: engine, name, connection
 * string, read-only, description; then the connection test, before anything is saved.
 */
async function askAll(explorer: Explorer, heading: string, options: { where: string; tester: (type: EngineType) => Tester; taken?: (name: string) => boolean }): Promise<Answers> {
  const step = (n: number) => `${heading} (${n}/5)`;
  const type = await askEngine(explorer, step(1));
  const name = await askName(explorer, step(2), { taken: options.taken });
  const typed = await askConnectionString(explorer, step(3), type);
  const readOnly = await askReadOnly(explorer, step(4));
  const description = await askDescription(explorer, step(5));
  const { connectionString, result } = await testBeforeSaving(explorer, { name, type, title: step(3), where: options.where }, typed, options.tester(type));
  return { type, name, connectionString, readOnly, description, tested: result };
}

function outcome(answers: Answers): string {
  return answers.tested ? describeProbe(answers.type, answers.tested) : `${ENGINE_LABEL[answers.type]}, not reachable when tested: fix it with Edit Database`;
}

async function addDatabase(explorer: Explorer, arg: unknown): Promise<void> {
  const signedIn = requireSignedIn(explorer, 'add a database');
  const node = asNode(arg);
  const projectNode = node?.kind === 'project' ? (node as ProjectNode) : undefined;
  let target: ProjectTarget;
  if (projectNode) {
    target = { organization: projectNode.organization, project: projectNode.project };
    if (target.organization.role === 'read_only') {
      throw new Error(`Adding a database to ${target.project.name} needs the owner, admin or developer role; yours in ${target.organization.name} is read_only.`);
    }
  } else {
    target = await pickProject(explorer, signedIn, { title: 'Add Database', writable: true });
  }
  const answers = await askAll(explorer, `Add Database to ${target.project.name}`, { where: `from ${signedIn.platform.name}`, tester: (type) => platformTester(explorer, type) });
  const created = await withProgress(`Adding ${answers.name} to ${target.project.name}…`, () =>
    signedIn.client.createDatabase({
      projectRef: target.project.ref,
      name: answers.name,
      type: answers.type,
      connectionString: answers.connectionString,
      readOnly: answers.readOnly,
      ...(answers.description ? { description: answers.description } : {}),
    }),
  );
  explorer.log.info(`[commands] added ${created.name} (${created.type}, ${created.endpoint}) to ${target.project.ref}`);
  explorer.platformTree.refresh(projectNode);
  info(`Added ${created.name} (${outcome(answers)})`);
}

async function addLocalConnection(explorer: Explorer): Promise<void> {
  const taken = (name: string) => explorer.local.list().some((c) => c.name.toLowerCase() === name.toLowerCase());
  const answers = await askAll(explorer, 'Add Local Connection', { where: 'from this machine', tester: (type) => localTester(explorer, type), taken });
  const added = await explorer.local.add({
    name: answers.name,
    type: answers.type,
    connectionString: answers.connectionString,
    readOnly: answers.readOnly,
    description: answers.description,
  });
  explorer.log.info(`[commands] added local connection ${added.name} (${added.type}, ${added.endpoint})`);
  explorer.localTree.refresh();
  info(`Added ${added.name} (${outcome(answers)})`);
}

export function registerWizardCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.addDatabase, explorer.log, (arg) => addDatabase(explorer, arg)),
    registerCommand(CommandIds.addLocalConnection, explorer.log, () => addLocalConnection(explorer)),
  ];
}
