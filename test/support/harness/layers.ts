import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one layer of the suite reports: the harness adds these up into its final line. */
export interface LayerSummary {
  passed: number;
  failed: number;
  skipped: number;
  failures: { title: string; message: string }[];
}

/** A step of a layer: one child process whose result is read from a summary file or from its exit code. */
export interface Step {
  /** Shown in the output and used as the test title when the step counts as one test. */
  title: string;
  command: string;
  args: string[];
  cwd?: string;
  /** How the step reports: `mocha` and `bun-junit` write counts to a file; `exit-code` counts as one test. */
  report: 'mocha' | 'bun-junit' | 'exit-code';
  timeoutMs: number;
}

export interface Layer {
  name: string;
  description: string;
  /** Layers that talk to PostgreSQL, Redis or MongoDB get the shared services' environment. */
  needsServices: boolean;
  steps: () => Step[];
}

const node = process.execPath;
const mocha = ['--import', 'tsx', 'node_modules/mocha/bin/mocha.js', '--reporter', 'test/support/mocha-summary-reporter.cjs', process.stdout.isTTY ? '--color' : '--no-color'];
const bin = (name: string) => join(__dirname, '..', '..', '..', 'node_modules', '.bin', name);

const hasFiles = (dir: string, suffix: string): boolean =>
  existsSync(dir) && readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith(suffix));

const mochaStep = (title: string, glob: string, timeoutMs: number, perTestTimeout = 60_000, extra: string[] = []): Step[] =>
  hasFiles(glob.split('/**')[0]!, '.test.ts')
    ? [{ title, command: node, args: [...mocha, '--timeout', String(perTestTimeout), ...extra, glob], report: 'mocha', timeoutMs }]
    : [];

export const layers: Layer[] = [
  {
    name: 'static',
    description: 'type checks (extension, webviews, server) and ESLint',
    needsServices: false,
    steps: () => [
      { title: 'tsc: extension, core, tests', command: node, args: [bin('tsc'), '--noEmit', '-p', 'tsconfig.json'], report: 'exit-code', timeoutMs: 300_000 },
      ...(hasFiles('src/webviews', '.ts')
        ? [{ title: 'tsc: webviews', command: node, args: [bin('tsc'), '--noEmit', '-p', 'src/webviews/tsconfig.json'], report: 'exit-code' as const, timeoutMs: 300_000 }]
        : []),
      // bench/key-browser.ts runs code inside the webview (DOM types), so it has its own tsconfig.
      { title: 'tsc: browser-side bench', command: node, args: [bin('tsc'), '--noEmit', '-p', 'bench/tsconfig.json'], report: 'exit-code', timeoutMs: 300_000 },
      { title: 'tsc: server', command: node, args: [bin('tsc'), '--noEmit', '-p', 'server/tsconfig.json'], report: 'exit-code', timeoutMs: 300_000 },
      { title: 'eslint', command: node, args: [bin('eslint'), '.'], report: 'exit-code', timeoutMs: 300_000 },
      // The release package, built the way a maintainer builds it; test/unit/vsix.test.ts then checks what it holds.
      { title: 'vsce package', command: node, args: [bin('vsce'), 'package', '--no-dependencies', '-o', '${RESULTS_DIR}/ogelbase-explorer.vsix'], report: 'exit-code', timeoutMs: 300_000 },
    ],
  },
  {
    name: 'unit',
    description: 'pure code, no services, no VS Code (mocha on Node)',
    needsServices: false,
    steps: () => mochaStep('unit', 'test/unit/**/*.test.ts', 300_000, 20_000),
  },
  {
    name: 'engines',
    description: 'database engines against real PostgreSQL, Redis (standalone, cluster, sentinel) and MongoDB',
    needsServices: true,
    steps: () => mochaStep('engines', 'test/engines/**/*.test.ts', 900_000, 120_000),
  },
  {
    name: 'server',
    description: 'the companion Bun server: app factory and real sockets (bun test)',
    needsServices: true,
    steps: () => [
      {
        title: 'server',
        command: bin('bun'),
        args: ['test', './test', '--timeout', '60000', '--reporter=junit', '--reporter-outfile=${SUMMARY_FILE}.xml'],
        cwd: 'server',
        report: 'bun-junit',
        timeoutMs: 900_000,
      },
    ],
  },
  {
    name: 'security',
    description: 'the attack suite: read_only members, developers and other organizations against the server, real PostgreSQL, Redis and MongoDB; writes docs/security.md',
    needsServices: true,
    steps: () => [
      {
        title: 'attacks',
        command: bin('bun'),
        args: ['test', './attacks', '--timeout', '120000', '--reporter=junit', '--reporter-outfile=${SUMMARY_FILE}.xml'],
        cwd: 'server',
        report: 'bun-junit',
        timeoutMs: 900_000,
      },
      // The table of every attack the suite ran, who tried it, what was expected and what happened.
      { title: 'docs/security.md', command: node, args: ['--import', 'tsx', 'test/support/harness/security-report.ts', '${RESULTS_DIR}'], report: 'exit-code', timeoutMs: 60_000 },
    ],
  },
  {
    name: 'faults',
    description: 'issue 9: the platform database killed, the embedded database\'s owner, TLS, managed databases under faults, two servers, a soak; writes docs/reliability.md',
    needsServices: true,
    steps: () => [
      ...mochaStep('faults', 'test/faults/**/*.test.ts', 1_200_000, 420_000),
      { title: 'reliability report', command: node, args: ['--import', 'tsx', 'test/faults/report.ts', '${RESULTS_DIR}'], report: 'exit-code', timeoutMs: 60_000 },
    ],
  },
  {
    name: 'extension-host',
    description: 'mocha inside the real VS Code extension host (code-server), through @vscode/test-electron',
    needsServices: true,
    steps: () => [
      { title: 'extension-host', command: node, args: ['--import', 'tsx', 'test/support/vscode/run-extension-tests.ts'], report: 'mocha', timeoutMs: 900_000 },
    ],
  },
  {
    name: 'e2e',
    description: 'the UI in Chromium driven by Playwright: the packaged .vsix installed in one code-server (no smoke-test driver, so notifications show), screenshots',
    needsServices: true,
    // One code-server and one browser for every suite: started by the root hooks of e2e-session.ts.
    steps: () => mochaStep('e2e', 'test/e2e/**/*.test.ts', 900_000, 180_000, ['--require', 'test/support/vscode/e2e-session.ts']),
  },
];

/**
 * A layer's counts, with one rule on top of its steps': a layer that ran no test at all (no test
 * files, a runner that found nothing, a step that reported nothing) is a failure, not a silent zero.
 */
export function layerTotal(name: string, results: LayerSummary[]): LayerSummary {
  const total: LayerSummary = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const result of results) {
    total.passed += result.passed;
    total.failed += result.failed;
    total.skipped += result.skipped;
    total.failures.push(...result.failures);
  }
  if (total.passed + total.failed === 0) {
    total.failed = 1;
    total.failures.push({ title: `layer ${name}`, message: `ran zero tests${results.length === 0 ? ' (no steps: are its test files missing?)' : ''}: a layer that tests nothing fails the run` });
  }
  return total;
}

/** Reads a bun junit report's totals (the first `<testsuites>` element carries them). */
export function readBunJunit(path: string): LayerSummary {
  const xml = readFileSync(path, 'utf8');
  const totals = /<testsuites[^>]*\btests="(\d+)"[^>]*\bfailures="(\d+)"[^>]*\bskipped="(\d+)"/.exec(xml);
  if (!totals) throw new Error(`no totals in ${path}`);
  const [tests, failures, skipped] = totals.slice(1).map(Number) as [number, number, number];
  const failuresList = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>\s*<failure[^>]*message="([^"]*)"/g)].map((m) => ({
    title: m[1] ?? '',
    message: (m[2] ?? '').slice(0, 500),
  }));
  return { passed: tests - failures - skipped, failed: failures, skipped, failures: failuresList };
}
