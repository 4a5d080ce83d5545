import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandIds } from '../../src/host/commands/ids';

interface Manifest {
  main: string;
  engines: { vscode: string };
  activationEvents?: string[];
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    views: Record<string, { id: string; icon?: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    viewsWelcome: { view: string; contents: string }[];
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> };
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    walkthroughs: { steps: { id: string; completionEvents?: string[] }[] }[];
  };
}

const root = join(__dirname, '..', '..');

/** The `when` clauses the manifest uses (`||`, `&&`, `!( )`, `==`, `=~ /re/`), evaluated against some context keys. */
function whenHolds(when: string, keys: Record<string, string>): boolean {
  return when.split(' || ').some((all) =>
    all.split(' && ').every((raw) => {
      const negated = /^!\((.*)\)$/.exec(raw.trim());
      const term = (negated ? negated[1]! : raw).trim();
      const match = /^(\S+) (==|=~) (.+)$/.exec(term);
      const value = match ? keys[match[1]!] : undefined;
      const holds = term === 'true' || (match !== null && value !== undefined && (match[2] === '==' ? value === match[3] : new RegExp(match[3]!.slice(1, -1)).test(value)));
      return negated ? !holds : holds;
    }),
  );
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

describe('package.json (the extension manifest)', () => {
  it('never activates on `*` or on start-up', () => {
    for (const event of manifest.activationEvents ?? []) {
      assert.ok(event !== '*' && event !== 'onStartupFinished', `activation event ${event} activates for every user`);
    }
  });

  it('activates to restore every inspector panel after a reload (onWebviewPanel per viewType)', () => {
    const viewTypes = [...readFileSync(join(root, 'src', 'host', 'redis', 'key-browser.ts'), 'utf8').matchAll(/viewType: '([\w.]+)'/g)].map((m) => m[1]);
    assert.ok(viewTypes.length > 0);
    for (const viewType of viewTypes) assert.ok(manifest.activationEvents?.includes(`onWebviewPanel:${viewType}`), `onWebviewPanel:${viewType} is missing`);
  });

  it('contributes exactly the commands the code declares', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(CommandIds).sort());
  });

  it('gives every command a title and the OgelBase category', () => {
    for (const command of manifest.contributes.commands) {
      assert.ok(command.title.length > 0, `${command.command} has no title`);
      assert.equal(command.category, 'OgelBase', `${command.command} is not in the OgelBase category`);
      if (command.icon) assert.match(command.icon, /^\$\([a-z-]+\)$/, `${command.command}: use a codicon`);
    }
  });

  it('points every icon at a file that exists', () => {
    const icons = [
      ...manifest.contributes.viewsContainers.activitybar.map((c) => c.icon),
      ...Object.values(manifest.contributes.views).flat().flatMap((v) => (v.icon ? [v.icon] : [])),
    ];
    for (const icon of icons) assert.ok(existsSync(join(root, icon)), `${icon} is missing`);
  });

  it('links welcome content only to contributed views and contributed commands', () => {
    const views = new Set(Object.values(manifest.contributes.views).flat().map((v) => v.id));
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const welcome of manifest.contributes.viewsWelcome) {
      assert.ok(views.has(welcome.view), `welcome content for unknown view ${welcome.view}`);
      for (const match of welcome.contents.matchAll(/\(command:([^)?]+)/g)) {
        assert.ok(commands.has(match[1]!) || match[1]!.startsWith('workbench.'), `welcome links to ${match[1]}, which is not contributed`);
      }
    }
  });

  it('documents every setting', () => {
    for (const [key, property] of Object.entries(manifest.contributes.configuration.properties)) {
      assert.ok(property.description ?? property.markdownDescription, `setting ${key} has no description`);
    }
  });

  it('builds against the VS Code API version it declares', () => {
    const engine = manifest.engines.vscode.replace(/^\^/, '');
    const types = manifest.devDependencies['@types/vscode']!.replace(/^[~^]/, '');
    assert.equal(types, engine, '@types/vscode must match engines.vscode so no newer API slips in');
  });

  it('lists the database commands in the palette whenever there is a database to pick (they ask which)', () => {
    const palette = manifest.contributes.menus.commandPalette!;
    for (const id of [CommandIds.testConnection, CommandIds.editDatabase, CommandIds.removeDatabase, CommandIds.copyConnectionString]) {
      const entry = palette.find((e) => e.command === id);
      assert.equal(entry?.when, 'ogelbase.signedIn || ogelbase.hasLocalConnections', `${id} is hidden from the palette`);
    }
  });

  it('keeps row-only commands out of the palette, and every menu entry names a contributed command', () => {
    const rowOnly = [
      CommandIds.loadMore,
      CommandIds.scanToEnd,
      CommandIds.retry,
      CommandIds.filterKeys,
      CommandIds.clearFilter,
      CommandIds.copyKeyName,
      CommandIds.copyKeyValue,
      CommandIds.setKeyTtl,
      CommandIds.deleteKey,
      CommandIds.copyTableName,
      CommandIds.countRows,
      CommandIds.selectRows,
      CommandIds.copyCollectionName,
      CommandIds.countDocuments,
    ];
    const palette = manifest.contributes.menus.commandPalette!;
    for (const id of rowOnly) assert.equal(palette.find((e) => e.command === id)?.when, 'false', `${id} needs a row but shows in the palette`);
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) assert.ok(commands.has(entry.command), `${menu} names ${entry.command}, which is not contributed`);
    }
  });

  it('gives keys, tables and collections a context menu, and no write entry on read-only keys', () => {
    const context = manifest.contributes.menus['view/item/context']!;
    const on = (viewItem: string) => context.filter((e) => whenHolds(e.when ?? 'true', { view: 'ogelbase.explorer', viewItem })).map((e) => e.command);
    assert.deepEqual(new Set(on('redis.key.hash')), new Set([CommandIds.copyKeyName, CommandIds.copyKeyValue, CommandIds.setKeyTtl, CommandIds.deleteKey]));
    assert.deepEqual(new Set(on('redis.key.hash.readonly')), new Set([CommandIds.copyKeyName, CommandIds.copyKeyValue]));
    assert.deepEqual(new Set(on('postgres.relation.table')), new Set([CommandIds.copyTableName, CommandIds.countRows, CommandIds.selectRows]));
    assert.deepEqual(new Set(on('mongodb.collection.collection')), new Set([CommandIds.copyCollectionName, CommandIds.countDocuments]));
    assert.ok(on('database.redis.writable').includes(CommandIds.filterKeys));
    assert.ok(on('redis.namespace.readonly.filtered').includes(CommandIds.clearFilter));
    // Clicks on keys, tables and collections belong to the inspectors: no command is bound here.
    assert.ok(!context.some((e) => e.group === undefined));
  });

  it('ticks no walkthrough step merely because it is shown', () => {
    for (const step of manifest.contributes.walkthroughs[0]!.steps) {
      assert.ok((step.completionEvents ?? []).length > 0, `step ${step.id} has no completion event, so VS Code ticks it when it is opened`);
      assert.ok(!step.completionEvents!.includes('onStepSelected'), `step ${step.id} completes when selected`);
    }
  });

  it('never depends on keytar (archived; SecretStorage replaced it)', () => {
    assert.ok(!('keytar' in manifest.dependencies) && !('keytar' in manifest.devDependencies));
  });
});
