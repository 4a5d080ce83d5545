import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { describeEndpoint, maskConnectionString, parseConnectionString } from '../../core/connection-strings';
import type { SecretVault } from '../secrets';
import { localSecretKey, type LocalConnection, type LocalConnections, type NewLocalConnection } from './local-connection';

const RECORDS_KEY = 'ogelbase.localConnections';

/** The platform's naming rule for databases, applied to local connections too so both trees read alike. */
export const DATABASE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _.-]*$/;

/** Why a database name is refused (the server's rules), or undefined when it is fine. */
export function databaseNameProblem(value: string): string | undefined {
  const name = value.trim();
  if (name === '') return 'A name is required.';
  if (name.length > 63) return `A name is at most 63 characters (this one has ${name.length}).`;
  if (!DATABASE_NAME_PATTERN.test(name)) return 'A name starts with a letter or digit and has only letters, digits, spaces, dots, dashes and underscores.';
  return undefined;
}

/**
 * Local connections: the records (nothing secret: name, engine, masked string, endpoint) in
 * globalState, each connection string in SecretStorage under `localSecretKey(id)`. A string is
 * parsed before it is stored, so the store never holds one the engines would refuse. The secret is
 * written before the record and removed after it, so a record never points at nothing for long.
 */
export class LocalConnectionStore implements LocalConnections, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly vault: SecretVault,
  ) {}

  list(): LocalConnection[] {
    return [...this.records()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(id: string): LocalConnection | undefined {
    return this.records().find((r) => r.id === id);
  }

  async add(input: NewLocalConnection): Promise<LocalConnection> {
    const name = this.checkName(input.name);
    const derived = derive(input.type, input.connectionString);
    const record: LocalConnection = {
      id: randomUUID(),
      name,
      type: input.type,
      description: input.description?.trim() || null,
      readOnly: input.readOnly ?? false,
      ...derived,
      createdAt: new Date().toISOString(),
    };
    await this.vault.store(localSecretKey(record.id), input.connectionString.trim());
    await this.save([...this.records(), record]);
    return record;
  }

  async update(id: string, changes: Partial<NewLocalConnection>): Promise<LocalConnection> {
    const current = this.get(id);
    if (!current) throw new Error('this local connection no longer exists');
    const type = changes.type ?? current.type;
    let derived = { endpoint: current.endpoint, masked: current.masked };
    if (changes.connectionString !== undefined) {
      derived = derive(type, changes.connectionString);
    } else if (type !== current.type) {
      // Changing the engine alone: the stored string must still be one of the new engine's.
      const stored = await this.vault.get(localSecretKey(id));
      if (!stored) throw new Error(`the connection string of ${current.name} is missing from secret storage: enter it again`);
      derived = derive(type, stored);
    }
    const next: LocalConnection = {
      ...current,
      name: changes.name === undefined ? current.name : this.checkName(changes.name, id),
      type,
      description: changes.description === undefined ? current.description : changes.description?.trim() || null,
      readOnly: changes.readOnly ?? current.readOnly,
      ...derived,
    };
    if (changes.connectionString !== undefined) await this.vault.store(localSecretKey(id), changes.connectionString.trim());
    await this.save(this.records().map((r) => (r.id === id ? next : r)));
    return next;
  }

  async remove(id: string): Promise<void> {
    await this.save(this.records().filter((r) => r.id !== id));
    await this.vault.delete(localSecretKey(id));
  }

  private records(): readonly LocalConnection[] {
    return this.state.get<LocalConnection[]>(RECORDS_KEY, []);
  }

  private async save(records: LocalConnection[]): Promise<void> {
    await this.state.update(RECORDS_KEY, records);
    this.changed.fire();
  }

  private checkName(raw: string, exceptId?: string): string {
    const problem = databaseNameProblem(raw);
    if (problem) throw new Error(problem);
    const name = raw.trim();
    if (this.records().some((r) => r.id !== exceptId && r.name.toLowerCase() === name.toLowerCase())) {
      throw new Error(`a local connection named ${name} already exists`);
    }
    return name;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** What the record shows of a connection string; throws the engine's ConnectionStringError when malformed. */
function derive(type: LocalConnection['type'], connectionString: string): Pick<LocalConnection, 'endpoint' | 'masked'> {
  const parsed = parseConnectionString(type, connectionString);
  return { endpoint: describeEndpoint(parsed), masked: maskConnectionString(connectionString) };
}
