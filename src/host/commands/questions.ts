import type { TestConnectionResult } from '../../core/api/types';
import { ConnectionStringError, ENGINE_LABEL, parseConnectionString, type EngineType } from '../../core/connection-strings';
import { defaultEngineSettings } from '../../core/engines/settings';
import { loadEngine } from '../access/engine-loader';
import type { Explorer } from '../explorer';
import { databaseNameProblem } from '../local/local-store';
import { cancelled, required, withProgress } from './support';

/** The questions Add Database, Add Local Connection and Edit Database share, each validated as typed. */

export const ENGINE_CHOICES: Record<EngineType, { description: string; example: string }> = {
  postgres: { description: 'PostgreSQL: URI or libpq key=value form', example: 'postgresql://postgres:password@db.example.com:5432/app?sslmode=require' },
  redis: { description: 'Redis: standalone, Sentinel (redis+sentinel://) or Cluster (redis+cluster://)', example: 'redis://default:password@redis.railway.internal:6379/0' },
  mongodb: { description: 'MongoDB: mongodb:// or mongodb+srv://', example: 'mongodb://user:password@mongo.example.com:27017/app?authSource=admin' },
};

/** The engine's own message for a malformed string (it never quotes the password), or undefined. */
export function connectionStringProblem(type: EngineType, value: string): string | undefined {
  try {
    parseConnectionString(type, value);
    return undefined;
  } catch (error) {
    if (error instanceof ConnectionStringError) return error.message;
    throw error;
  }
}

export function descriptionProblem(value: string): string | undefined {
  return value.trim().length > 500 ? `A description is at most 500 characters (this one has ${value.trim().length}).` : undefined;
}

export async function askEngine(explorer: Explorer, title: string): Promise<EngineType> {
  const items = (Object.keys(ENGINE_CHOICES) as EngineType[]).map((type) => ({
    label: ENGINE_LABEL[type],
    description: ENGINE_CHOICES[type].description,
    detail: `e.g. ${ENGINE_CHOICES[type].example}`,
    type,
  }));
  return required(await explorer.prompts.pick(items, { title, placeHolder: 'Which engine?' })).type;
}

export async function askName(explorer: Explorer, title: string, options: { value?: string; taken?: (name: string) => boolean } = {}): Promise<string> {
  const name = await explorer.prompts.input({
    title,
    prompt: 'A name for the database (letters, digits, spaces, dots, dashes, underscores; up to 63)',
    placeHolder: 'redis-cache',
    value: options.value,
    validateInput: (value) => databaseNameProblem(value) ?? (options.taken?.(value.trim()) ? `${value.trim()} is already taken: choose another name.` : undefined),
  });
  return required(name).trim();
}

export async function askConnectionString(explorer: Explorer, title: string, type: EngineType, value?: string): Promise<string> {
  const connectionString = await explorer.prompts.input({
    title,
    prompt: `The ${ENGINE_LABEL[type]} connection string. It is stored encrypted (the platform's encryption or VS Code secret storage) and shown masked.`,
    placeHolder: ENGINE_CHOICES[type].example,
    value,
    // Visible on purpose: a connection string is long and its typos are found by reading it.
    password: false,
    validateInput: (typed) => connectionStringProblem(type, typed),
  });
  return required(connectionString).trim();
}

export async function askReadOnly(explorer: Explorer, title: string, current?: boolean): Promise<boolean> {
  const items = [
    { label: 'Read and write', description: current === false ? 'current' : undefined, readOnly: false },
    { label: 'Read-only', description: current === true ? 'current' : 'refuse every write from the explorer (production databases)', readOnly: true },
  ];
  return required(await explorer.prompts.pick(items, { title, placeHolder: 'May the explorer change this database?' })).readOnly;
}

export async function askDescription(explorer: Explorer, title: string, value?: string | null): Promise<string | null> {
  const description = await explorer.prompts.input({ title, prompt: 'A description (optional: leave empty for none)', value: value ?? undefined, validateInput: descriptionProblem });
  return required(description).trim() || null;
}

/** Tests from the platform, which reaches private-network hosts the way saved databases are reached. */
export function platformTester(explorer: Explorer, type: EngineType): Tester {
  return (connectionString, signal) => {
    const signedIn = explorer.session.signedIn;
    if (!signedIn) throw new Error('Not signed in to a platform any more.');
    return signedIn.client.testConnectionString(type, connectionString, signal);
  };
}

/** Tests from this machine with the engine's own probe, as a local connection will be used. */
export function localTester(explorer: Explorer, type: EngineType): Tester {
  return (connectionString) => loadEngine(explorer.context.extensionPath, type).probe(connectionString, defaultEngineSettings, 10_000);
}

export type Tester = (connectionString: string, signal: AbortSignal) => Promise<TestConnectionResult>;

/**
 * Tests a connection string before it is saved; on failure the user saves anyway, edits the
 * string (and it is tested again), or cancels. `result` is undefined when saved untested-ok.
 */
export async function testBeforeSaving(
  explorer: Explorer,
  subject: { name: string; type: EngineType; title: string; where: string },
  connectionString: string,
  test: Tester,
): Promise<{ connectionString: string; result: TestConnectionResult | undefined }> {
  for (;;) {
    const result = await withProgress(`Testing ${subject.name} ${subject.where}…`, (signal) => test(connectionString, signal));
    if (result.ok) return { connectionString, result };
    const reason = result.error?.message ?? 'the connection failed';
    explorer.log.warn(`[commands] connection test of ${subject.name} failed: ${reason}`);
    // Edit first: it is the default button, so Enter never saves a string known not to connect.
    const choice = await explorer.prompts.confirm(
      `Could not connect to ${subject.name}.`,
      `${reason}\n\nEdit the connection string, or save it anyway (for a server that is down right now)?`,
      'Edit Connection String',
      'Save Anyway',
    );
    if (choice === 'Save Anyway') return { connectionString, result: undefined };
    if (choice !== 'Edit Connection String') cancelled();
    connectionString = await askConnectionString(explorer, subject.title, subject.type, connectionString);
  }
}
