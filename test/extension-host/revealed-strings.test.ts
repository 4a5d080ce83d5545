/**
 * A connection string the extension revealed for an admin (kept in SecretStorage for direct access)
 * must follow the caller's role on the platform: once demoted, it is removed from this machine and
 * calls go through the platform, which enforces the new role.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { PlatformClient } from '../../src/core/api/client';
import type { DatabaseRef } from '../../src/host/access/database-ref';
import type { Explorer } from '../../src/host/explorer';
import { startPlatform, type PlatformService } from '../support/platform';
import { setSetting } from '../support/extension-host/tree-fixtures';
import { registerSecret } from '../support/secrets';

describe('access: revealed connection strings follow the caller\'s current role', function () {
  this.timeout(120_000);
  let explorer: Explorer;
  let platform: PlatformService;
  let adminToken: string;
  let databaseId: string;
  const email = `demoted-${Date.now().toString(36)}@example.test`;
  let originalMode: unknown;

  const refFor = async (client: PlatformClient): Promise<Extract<DatabaseRef, { scope: 'platform' }>> => {
    const organization = (await client.organizations()).find((o) => o.slug === platform.organization)!;
    return { scope: 'platform', platformUrl: platform.url, organizationSlug: organization.slug, role: organization.role, info: await client.database(databaseId) };
  };
  const cachedKeys = async () => (await explorer.vault.keys()).filter((k) => k.endsWith(`db:${databaseId}`));

  before(async () => {
    const extension = vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!;
    explorer = await extension.activate();
    await explorer.ready;
    originalMode = vscode.workspace.getConfiguration('ogelbase').inspect('connectionMode')?.globalValue;
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL });
    platform.command(['user', 'create', '--email', email]);
    platform.command(['member', 'add', '--org', platform.organization, '--email', email, '--role', 'admin']);
    adminToken = String(platform.command(['token', 'create', '--email', email]).token);
    registerSecret(adminToken);
    const owner = new PlatformClient({ url: platform.url, token: platform.token });
    databaseId = (await owner.createDatabase({ projectRef: platform.projectRef, name: 'role-checked-redis', type: 'redis', connectionString: process.env.OGELBASE_TEST_REDIS_URL! })).id;
  });

  after(async () => {
    await setSetting('connectionMode', originalMode).catch(() => undefined);
    if (platform) await explorer.session.signOut(platform.url).catch(() => undefined);
    await explorer.access.reset();
    await platform?.destroy();
  });

  it('an admin connects directly with the revealed string; demoted to developer, the string is removed and calls go through the platform', async () => {
    await setSetting('connectionMode', 'direct');
    await explorer.access.reset();
    const signedIn = await explorer.session.signIn(platform.url, adminToken, 'role test platform');
    const asAdmin = await refFor(signedIn.client);
    assert.equal(asAdmin.role, 'admin');
    await explorer.access.call(asAdmin, 'scanKeys', { limit: 1 });
    assert.equal(await explorer.access.path(asAdmin), 'direct');
    assert.equal((await cachedKeys()).length, 1, 'the revealed string is kept in SecretStorage');

    // Demoted on the platform; the tree still holds the old row (role admin) until it refreshes.
    platform.command(['member', 'add', '--org', platform.organization, '--email', email, '--role', 'developer']);
    explorer.access.invalidateRoles();
    await assert.rejects(explorer.access.call(asAdmin, 'scanKeys', { limit: 1 }), /your role no longer allows/);
    assert.deepEqual(await cachedKeys(), [], 'the revealed string is gone from SecretStorage');

    // In auto mode the same database is still readable, through the platform and its rules.
    await setSetting('connectionMode', 'auto');
    await explorer.access.reset();
    const asDeveloper = await refFor(signedIn.client);
    assert.equal(asDeveloper.role, 'developer');
    const page = await explorer.access.call<{ keys: unknown[] }>(asDeveloper, 'scanKeys', { limit: 1 });
    assert.ok(Array.isArray(page.keys));
    assert.equal(await explorer.access.path(asDeveloper), 'platform');
    assert.deepEqual(await cachedKeys(), []);
  });
});
