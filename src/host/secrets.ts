import type * as vscode from 'vscode';

/** Where an older VS Code, without `SecretStorage.keys()`, finds the names of what we stored. */
const INDEX_KEY = 'ogelbase.secretKeys';

/**
 * VS Code's SecretStorage (encrypted by the OS keychain or the remote's equivalent), plus an index
 * of key names in globalState for VS Code versions without `SecretStorage.keys()` (before 1.105),
 * so that Sign Out can remove every secret the extension stored. Values never leave this class
 * except to the code that asked for them.
 */
export class SecretVault {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  get(key: string): Thenable<string | undefined> {
    return this.secrets.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    await this.secrets.store(key, value);
    const index = new Set(this.state.get<string[]>(INDEX_KEY, []));
    if (!index.has(key)) await this.state.update(INDEX_KEY, [...index, key]);
  }

  async delete(key: string): Promise<void> {
    await this.secrets.delete(key);
    await this.state.update(INDEX_KEY, this.state.get<string[]>(INDEX_KEY, []).filter((k) => k !== key));
  }

  /** Every key the extension stored: from SecretStorage itself where the API has keys(), and from the index. */
  async keys(): Promise<string[]> {
    const native = (this.secrets as Partial<{ keys(): Thenable<string[]> }>).keys;
    const listed = native ? await native.call(this.secrets) : [];
    return [...new Set([...listed, ...this.state.get<string[]>(INDEX_KEY, [])])];
  }

  /** Deletes every secret whose key starts with `prefix`; returns how many. */
  async deleteAll(prefix: string): Promise<number> {
    const doomed = (await this.keys()).filter((k) => k.startsWith(prefix));
    for (const key of doomed) await this.delete(key);
    return doomed.length;
  }
}
