// Builds everything that runs inside VS Code:
//  - dist/extension.js: the extension host bundle (Node, CommonJS, `vscode` external);
//  - dist/engines/<engine>.js: one bundle per database driver, loaded on first use so that
//    activation never pays for pg, ioredis or mongodb;
//  - dist/webviews/<name>.{js,css}: one browser bundle per webview (src/webviews/<name>/main.ts and
//    the CSS it imports), and dist/webviews/codicons/ (the codicon font); a webview may load
//    nothing outside dist/webviews (its localResourceRoots);
//  - out/test/extension-host/*.js: the mocha suite that runs inside the real extension host.
// Flags: --production (minified, no test bundles), --watch (rebuild on change).
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Optional native add-ons of the drivers: never bundled, never required unless configured. */
const optionalDriverDeps = [
  'pg-native',
  'kerberos',
  'snappy',
  'mongodb-client-encryption',
  '@mongodb-js/zstd',
  '@aws-sdk/credential-providers',
  'gcp-metadata',
  'socks',
];

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Release builds ship without source maps: smaller .vsix, and nothing of the source inside it.
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode', ...optionalDriverDeps],
};

function entriesIn(dir, pick) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => pick(dir, entry));
}

const engineEntries = entriesIn('src/core/engines', (dir, entry) =>
  entry.isDirectory() && existsSync(join(dir, entry.name, 'index.ts'))
    ? [{ in: join(dir, entry.name, 'index.ts'), out: `engines/${entry.name}` }]
    : [],
);

const webviewEntries = entriesIn('src/webviews', (dir, entry) =>
  entry.isDirectory() && existsSync(join(dir, entry.name, 'main.ts'))
    ? [{ in: join(dir, entry.name, 'main.ts'), out: entry.name }]
    : [],
);

const testEntries = entriesIn('test/extension-host', (dir, entry) =>
  entry.isFile() && entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
);

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...nodeCommon,
    entryPoints: [{ in: 'src/extension.ts', out: 'extension' }, ...engineEntries],
    outdir: 'dist',
  },
];
if (webviewEntries.length > 0) {
  builds.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: webviewEntries,
    outdir: 'dist/webviews',
    // Lit's development build warns in the console; the production one is smaller.
    conditions: ['production'],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  builds.push({
    bundle: true,
    minify: production,
    logLevel: 'warning',
    entryPoints: [{ in: 'node_modules/@vscode/codicons/dist/codicon.css', out: 'codicons/codicon' }],
    loader: { '.ttf': 'file' },
    assetNames: 'codicons/[name]',
    outdir: 'dist/webviews',
  });
}
if (!production && testEntries.length > 0) {
  builds.push({
    ...nodeCommon,
    // mocha stays a real module: its runner loads test files by path.
    external: [...nodeCommon.external, 'mocha'],
    entryPoints: testEntries,
    outdir: 'out/test/extension-host',
  });
}

if (!watch) {
  rmSync('dist', { recursive: true, force: true });
  // A renamed or deleted test file must not leave its old bundle behind to run again.
  rmSync('out/test/extension-host', { recursive: true, force: true });
}

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('[esbuild] watching for changes');
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`[esbuild] built ${builds.length} bundle group(s) in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
