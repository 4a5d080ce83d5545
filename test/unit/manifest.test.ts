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
  };
}

const root = join(__dirname, '..', '..');
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

  it('never depends on keytar (archived; SecretStorage replaced it)', () => {
    assert.ok(!('keytar' in manifest.dependencies) && !('keytar' in manifest.devDependencies));
  });
});
