import { randomBytes } from 'node:crypto';
import { sign } from 'hono/jwt';
import type { Role } from '../../../src/core/api/types';
import type { Queryable } from '../db/sql';
import type { Platform } from '../platform';
import { sealingContext } from '../store/databases';

/**
 * Administration that has no HTTP route on purpose (users, organizations, memberships, tokens,
 * key rotation): run by the server's commands with direct access to the platform database.
 */
export class AdminService {
  constructor(private readonly p: Platform) {}

  async ensureUser(email: string, displayName?: string) {
    return (await this.p.users.byEmail(email)) ?? (await this.p.users.create(email, displayName));
  }

  private record(entry: Parameters<Platform['audit']['record']>[1], tx: Queryable, actor: { userId: string | null; tokenId: string | null } = { userId: null, tokenId: null }) {
    return this.p.audit.record(actor, entry, tx);
  }

  async requireUser(email: string) {
    const user = await this.p.users.byEmail(email);
    if (!user) throw new Error(`no user with email ${email}: create it with \`user create --email ${email}\``);
    return user;
  }

  async createOrganization(slug: string, name: string, ownerEmail: string) {
    const owner = await this.requireUser(ownerEmail);
    return this.p.sql.transaction(async (tx) => {
      const organization = await this.p.organizations.createOrganization(slug, name, tx);
      await this.p.organizations.addMember(organization.id, owner.id, 'owner', tx);
      await this.p.audit.record({ userId: null, tokenId: null }, { action: 'organization.create', targetType: 'organization', targetId: organization.id, organizationId: organization.id, details: { slug, owner: owner.id } }, tx);
      return organization;
    });
  }

  private async organizationId(slug: string): Promise<string> {
    const { rows } = await this.p.sql.query<{ id: string }>('SELECT id FROM platform.organizations WHERE slug = $1', [slug]);
    if (!rows[0]) throw new Error(`no organization with slug ${slug}`);
    return rows[0].id;
  }

  async createProject(organizationSlug: string, ref: string, name: string, region?: string) {
    const organizationId = await this.organizationId(organizationSlug);
    // Each project gets its own JWT secret (the seed's `credentials` table), sealed like connection strings.
    const jwtSecret = randomBytes(32).toString('base64url');
    // The project, its credentials row and the audit entry together, or none of them.
    return this.p.sql.transaction(async (tx) => {
      const project = await this.p.organizations.createProject({ organizationId, ref, name, region, jwtSecretSealed: (projectId) => this.p.keyring.encrypt(jwtSecret, `credentials:${projectId}`) }, tx);
      await this.record({ action: 'project.create', targetType: 'project', targetId: project.id, organizationId, details: { ref } }, tx);
      return project;
    });
  }

  async addMember(organizationSlug: string, email: string, role: Role) {
    const user = await this.requireUser(email);
    const organizationId = await this.organizationId(organizationSlug);
    await this.p.sql.transaction(async (tx) => {
      await this.p.organizations.addMember(organizationId, user.id, role, tx);
      await this.record({ action: 'member.set', targetType: 'user', targetId: user.id, organizationId, details: { role } }, tx);
    });
    return { userId: user.id, role };
  }

  async mintToken(email: string, name: string, expiresInDays?: number) {
    const user = await this.requireUser(email);
    const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
    return this.p.sql.transaction(async (tx) => {
      const minted = await this.p.tokens.mint(user.id, name, expiresAt, tx);
      await this.record({ action: 'token.create', targetType: 'api_token', targetId: minted.record.id, organizationId: null, details: { name } }, tx, { userId: user.id, tokenId: minted.record.id });
      return minted;
    });
  }

  async revokeToken(idOrPrefix: string) {
    return this.p.sql.transaction(async (tx) => {
      const revoked = await this.p.tokens.revoke(idOrPrefix, tx);
      if (revoked > 0) await this.record({ action: 'token.revoke', targetType: 'api_token', targetId: idOrPrefix, organizationId: null }, tx);
      return revoked;
    });
  }

  /** A platform JWT (HS256, `sub` = user id) such as GoTrue would issue, for scripts and tests. */
  async signJwt(email: string, expiresInSeconds: number) {
    const secret = this.p.jwtSecret;
    if (!secret) throw new Error('JWT_SECRET is not set on this server: JWTs are disabled');
    const user = await this.requireUser(email);
    const now = Math.floor(Date.now() / 1000);
    return sign({ sub: user.id, email: user.email, role: 'authenticated', iat: now, exp: now + expiresInSeconds }, secret, 'HS256');
  }

  /** Re-seals every connection string and project secret under the current key; idempotent. */
  async rotateKeys() {
    const { keyring, databases, organizations, sql } = this.p;
    return sql.transaction(async (tx) => {
      let reencrypted = 0;
      let current = 0;
      for (const row of await databases.allSealed(tx)) {
        const aad = sealingContext(row.id, row.part);
        if (!keyring.needsRotation(row.sealed)) current++;
        else {
          await databases.replaceSealed(row.id, keyring.encrypt(keyring.decrypt(row.sealed, aad), aad), tx, row.part);
          reencrypted++;
        }
      }
      for (const row of await organizations.allCredentials(tx)) {
        const aad = `credentials:${row.projectId}`;
        if (!keyring.needsRotation(row.sealed)) current++;
        else {
          await organizations.replaceCredential(row.projectId, keyring.encrypt(keyring.decrypt(row.sealed, aad), aad), tx);
          reencrypted++;
        }
      }
      await this.p.audit.record({ userId: null, tokenId: null }, { action: 'keys.rotate', targetType: 'keyring', targetId: keyring.currentKeyId, organizationId: null, details: { reencrypted } }, tx);
      return { keyId: keyring.currentKeyId, reencrypted, alreadyCurrent: current };
    });
  }
}
