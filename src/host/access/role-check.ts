import type { Role } from '../../core/api/types';

/** Roles whose members may read (and so keep) a database's plaintext connection string. */
export const mayHoldConnectionString = (role: Role | undefined): boolean => role === 'owner' || role === 'admin';

/**
 * What the platform says the caller's role in an organization is now: a role, `none` when they are
 * no longer a member (or the token no longer works), or `unknown` when the platform could not be
 * asked (offline): then what is cached keeps working until the platform answers again.
 */
export type CurrentRole = Role | 'none' | 'unknown';

/**
 * Re-checks, before a cached revealed connection string is used, that the caller's role still allows
 * holding it: a member demoted from owner or admin must not keep direct access through a string the
 * extension revealed for them earlier. The platform is asked at most once per `maxAgeMs` per
 * organization (one listing of the caller's organizations), and again after {@link invalidate}.
 */
export class RoleRecheck {
  private readonly checked = new Map<string, { at: number; role: Promise<CurrentRole> }>();

  constructor(
    private readonly currentRole: (organizationSlug: string) => Promise<CurrentRole>,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True or false when the platform answered; true when it could not be asked (offline). */
  async mayUseCachedString(organizationSlug: string): Promise<boolean> {
    let entry = this.checked.get(organizationSlug);
    if (!entry || this.now() - entry.at > this.maxAgeMs) {
      entry = { at: this.now(), role: this.currentRole(organizationSlug).catch((): CurrentRole => 'unknown') };
      this.checked.set(organizationSlug, entry);
    }
    const role = await entry.role;
    if (role === 'unknown') {
      this.checked.delete(organizationSlug); // ask again next time
      return true;
    }
    return mayHoldConnectionString(role === 'none' ? undefined : role);
  }

  /** Forgets every answer (the tree was refreshed, the session changed): the next use asks again. */
  invalidate(): void {
    this.checked.clear();
  }
}
