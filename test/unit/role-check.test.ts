import assert from 'node:assert/strict';
import type { Role } from '../../src/core/api/types';
import { mayHoldConnectionString, RoleRecheck, type CurrentRole } from '../../src/host/access/role-check';

describe('RoleRecheck (revealed connection strings follow the caller\'s current role)', () => {
  let now = 0;
  let role: CurrentRole = 'owner';
  let asked = 0;
  const make = () =>
    new RoleRecheck(
      async () => {
        asked++;
        if (role === 'unknown') throw new Error('offline');
        return role;
      },
      60_000,
      () => now,
    );
  beforeEach(() => {
    now = 1_000;
    role = 'owner';
    asked = 0;
  });

  it('only owners and admins may hold a connection string', () => {
    for (const r of ['owner', 'admin'] as Role[]) assert.equal(mayHoldConnectionString(r), true);
    for (const r of ['developer', 'read_only', undefined] as (Role | undefined)[]) assert.equal(mayHoldConnectionString(r), false);
  });

  it('refuses the cached string once the platform says the caller was demoted (after the check expires or is invalidated)', async () => {
    const check = make();
    assert.equal(await check.mayUseCachedString('acme'), true);
    role = 'developer';
    assert.equal(await check.mayUseCachedString('acme'), true, 'within a minute the answer is reused');
    now += 60_001;
    assert.equal(await check.mayUseCachedString('acme'), false);
    role = 'owner';
    check.invalidate();
    assert.equal(await check.mayUseCachedString('acme'), true);
    role = 'none';
    check.invalidate();
    assert.equal(await check.mayUseCachedString('acme'), false, 'removed from the organization');
  });

  it('asks once per organization and period, and keeps working (asking again) while the platform is unreachable', async () => {
    const check = make();
    await Promise.all([check.mayUseCachedString('acme'), check.mayUseCachedString('acme')]);
    assert.equal(asked, 1);
    role = 'unknown';
    check.invalidate();
    assert.equal(await check.mayUseCachedString('acme'), true);
    assert.equal(await check.mayUseCachedString('acme'), true);
    assert.equal(asked, 3, 'an unknown answer is not remembered');
  });
});
