import type { TlsPem } from '../../../src/core/api/types';
import type { Keyring } from '../../../src/core/crypto';
import type { ManagedDatabase } from '../../../src/core/engines/connection-manager';
import type { NetworkGuard } from '../../../src/core/engines/network';
import { sealingContext, type DatabaseRow, type SealedPart } from '../store/databases';
import type { ReadCredential } from './read-credentials';

/**
 * The sealed parts of a database row (connection string, certificates, read credential), each
 * bound to the row id and its part, and the engine targets built from them. Plaintext leaves this
 * class only towards a driver, or in the one audited reveal.
 */
export class DatabaseSecrets {
  constructor(
    private readonly keyring: Keyring,
    private readonly guard: NetworkGuard,
  ) {}

  seal(id: string, part: SealedPart, value: string): string {
    return this.keyring.encrypt(value, sealingContext(id, part));
  }

  sealTls(id: string, tls: TlsPem | null | undefined): string | null {
    const given = tls ? Object.fromEntries(Object.entries(tls).filter(([, v]) => typeof v === 'string' && v !== '')) : {};
    return Object.keys(given).length > 0 ? this.seal(id, 'tls', JSON.stringify(given)) : null;
  }

  sealRead(id: string, credential: ReadCredential): string {
    return this.seal(id, 'read', JSON.stringify(credential));
  }

  connectionString(row: Pick<DatabaseRow, 'id' | 'sealed'>): string {
    return this.keyring.decrypt(row.sealed, row.id);
  }

  tls(row: Pick<DatabaseRow, 'id' | 'tlsSealed'>): TlsPem | undefined {
    return row.tlsSealed ? (JSON.parse(this.keyring.decrypt(row.tlsSealed, sealingContext(row.id, 'tls'))) as TlsPem) : undefined;
  }

  read(row: Pick<DatabaseRow, 'id' | 'readSealed'>): ReadCredential | undefined {
    return row.readSealed ? (JSON.parse(this.keyring.decrypt(row.readSealed, sealingContext(row.id, 'read'))) as ReadCredential) : undefined;
  }

  /**
   * What the engines connect with: the stored login (`owner`) or the read-only one (`read`, which
   * must exist). Always with the host policy's guard and never with local certificate files.
   */
  target(row: DatabaseRow, variant: 'owner' | 'read' = 'owner', readOnly = row.readOnly): ManagedDatabase {
    const base: ManagedDatabase = {
      id: row.id,
      name: row.name,
      type: row.type,
      connectionString: this.connectionString(row),
      readOnly,
      variant,
      tls: this.tls(row),
      localFiles: false,
      guard: this.guard,
      serverJavaScript: row.serverJavaScript,
    };
    if (variant === 'owner') return base;
    const read = this.read(row);
    if (!read) throw new Error(`database ${row.id} has no read credential`);
    return read.kind === 'supplied'
      ? { ...base, connectionString: read.connectionString, readOnly: true }
      : { ...base, credentials: { user: read.user, password: read.password }, readOnly: true };
  }
}
