import type * as vscode from 'vscode';
import type { EngineType } from '../../core/api/types';

/**
 * A database outside any platform, added by the user. Its connection string lives in SecretStorage
 * under `ogelbase.local:<id>`; this record (in globalState) holds nothing secret.
 */
export interface LocalConnection {
  id: string;
  name: string;
  type: EngineType;
  description: string | null;
  readOnly: boolean;
  /** Host, port and database for display (from describeEndpoint), never the password. */
  endpoint: string;
  /** The connection string with its password masked, for tooltips and "Copy (masked)". */
  masked: string;
  createdAt: string;
}

export const localSecretKey = (id: string) => `ogelbase.local:${id}`;

export interface NewLocalConnection {
  name: string;
  type: EngineType;
  connectionString: string;
  description?: string | null;
  readOnly?: boolean;
}

/**
 * Local connections: records in globalState, connection strings in SecretStorage. Implemented by
 * local-store.ts; the Local Connections tree lists them and refreshes on `onDidChange`.
 */
export interface LocalConnections {
  readonly onDidChange: vscode.Event<void>;
  list(): LocalConnection[];
  add(input: NewLocalConnection): Promise<LocalConnection>;
  update(id: string, changes: Partial<NewLocalConnection>): Promise<LocalConnection>;
  remove(id: string): Promise<void>;
}
