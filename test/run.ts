/**
 * The whole test suite in one command: `npm test` (this file). It starts the real services the
 * layers need on free ports, runs every layer, stops what it started by PID, scans everything the
 * run wrote for the test passwords, and ends with one line: `N passed, N failed, N skipped`.
 *
 *   npm test                          every layer
 *   npm test -- --only unit,server    some layers
 *   npm test -- --list                the layers and what they cover
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { layers, layerTotal, readBunJunit, type LayerSummary, type Step } from './support/harness/layers';
import { scanForSecrets } from './support/harness/leak-scan';
import { startSharedServices, type SharedServices } from './support/harness/shared-services';
import { stopRecordedPids } from './support/services/processes';

const root = resolve(__dirname, '..');
process.chdir(root);
const resultsDir = resolve(process.env.OGELBASE_RESULTS_DIR ?? join(root, 'test-results'));

const argValue = (flag: string) => {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? process.argv[index + 1] : undefined;
};

if (process.argv.includes('--list')) {
  for (const layer of layers) console.log(`${layer.name.padEnd(16)}${layer.description}`);
  process.exit(0);
}
const only = argValue('--only')?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !layers.some((l) => l.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown layer(s): ${unknown.join(', ')}; known: ${layers.map((l) => l.name).join(', ')}`);
  process.exit(2);
}
const selected = layers.filter((layer) => !only || only.includes(layer.name));

const say = (line: string) => {
  console.log(`[harness] ${line}`);
  appendFileSync(join(resultsDir, 'harness.log'), `${line}\n`);
};

/** What must be stopped if the harness itself is interrupted: the running step and the services. */
const running = { child: undefined as number | undefined, services: undefined as SharedServices | undefined };
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`[harness] ${signal}: stopping the running step and the services`);
    if (running.child) {
      try {
        process.kill(-running.child, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    void (running.services?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

// If the harness crashes, it still leaves nothing running and still ends with a counted line.
let finished = false;
process.on('exit', () => {
  if (finished) return;
  running.services?.killNow();
  console.log('\n0 passed, 1 failed, 0 skipped');
  process.exitCode = 1;
});

/** Runs one step, teeing its output into the results folder, and turns what it reports into counts. */
async function runStep(layer: string, step: Step, env: NodeJS.ProcessEnv): Promise<LayerSummary> {
  const slug = `${layer}--${step.title.replace(/[^a-z0-9]+/gi, '-')}`;
  const summaryFile = join(resultsDir, `${slug}.summary.json`);
  const logFile = join(resultsDir, `${slug}.log`);
  rmSync(summaryFile, { force: true });
  const args = step.args.map((a) => a.replace('${SUMMARY_FILE}', summaryFile).replace('${RESULTS_DIR}', resultsDir));
  const started = Date.now();
  const code = await new Promise<number>((done) => {
    const child = spawn(step.command, args, {
      cwd: step.cwd ? join(root, step.cwd) : root,
      env: { ...env, OGELBASE_SUMMARY_FILE: summaryFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.child = child.pid;
    const tee = (chunk: Buffer, stream: NodeJS.WriteStream) => {
      stream.write(chunk);
      appendFileSync(logFile, chunk);
    };
    child.stdout.on('data', (c: Buffer) => tee(c, process.stdout));
    child.stderr.on('data', (c: Buffer) => tee(c, process.stderr));
    const timer = setTimeout(() => {
      say(`${slug}: timed out after ${step.timeoutMs / 1000} s; stopping it`);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, step.timeoutMs);
    // A command that cannot start (ENOENT) emits 'error' and never 'close'.
    child.once('error', (error) => {
      appendFileSync(logFile, `could not start ${step.command}: ${error.message}\n`);
      running.child = undefined;
      clearTimeout(timer);
      done(127);
    });
    child.once('close', (exitCode, signal) => {
      running.child = undefined;
      clearTimeout(timer);
      done(exitCode ?? (signal ? 128 : 1));
    });
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  let summary: LayerSummary;
  if (step.report === 'exit-code') {
    summary = code === 0
      ? { passed: 1, failed: 0, skipped: 0, failures: [] }
      : { passed: 0, failed: 1, skipped: 0, failures: [{ title: step.title, message: `exit code ${code}; output in ${logFile}` }] };
  } else {
    const file = step.report === 'bun-junit' ? `${summaryFile}.xml` : summaryFile;
    summary = existsSync(file)
      ? step.report === 'bun-junit' ? readBunJunit(file) : (JSON.parse(readFileSync(file, 'utf8')) as LayerSummary)
      : { passed: 0, failed: 0, skipped: 0, failures: [] };
    // A crash before or after the tests (a syntax error, a hook that threw, a timeout) still fails the run.
    if (code !== 0 && summary.failed === 0) {
      summary.failed = 1;
      summary.failures.push({ title: step.title, message: `exited with code ${code} without reporting a failed test; output in ${logFile}` });
    }
  }
  say(`${slug}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped in ${seconds} s`);
  return summary;
}

async function main(): Promise<number> {
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const secretsFile = join(resultsDir, 'secrets.txt');
  writeFileSync(secretsFile, '');
  const env: NodeJS.ProcessEnv = { ...process.env, OGELBASE_RESULTS_DIR: resultsDir, OGELBASE_SECRETS_FILE: secretsFile };

  const totals: Record<string, LayerSummary> = {};
  let services: SharedServices | undefined;
  try {
    if (selected.some((l) => l.needsServices)) {
      say('starting PostgreSQL, Redis (standalone, cluster, sentinel) and MongoDB');
      services = await startSharedServices(say);
      running.services = services;
      Object.assign(env, services.env);
    }
    if (selected.some((l) => l.name === 'extension-host' || l.name === 'e2e')) {
      say('building the extension (esbuild)');
      totals.build = await runStep('build', { title: 'esbuild', command: process.execPath, args: ['esbuild.mjs'], report: 'exit-code', timeoutMs: 300_000 }, env);
    }
    for (const layer of selected) {
      say(`layer ${layer.name}: ${layer.description}`);
      const results: LayerSummary[] = [];
      for (const step of layer.steps()) results.push(await runStep(layer.name, step, env));
      const total = layerTotal(layer.name, results);
      if (total.failures.some((f) => f.title === `layer ${layer.name}`)) say(`layer ${layer.name} ran zero tests: counted as a failure`);
      totals[layer.name] = total;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    say(`the harness could not run: ${message}`);
    totals.harness = { passed: 0, failed: 1, skipped: 0, failures: [{ title: 'harness', message }] };
  } finally {
    if (services) {
      // The database servers' own logs are scanned for secrets too (a password in a logged statement).
      const copied = services.collectLogs(join(resultsDir, 'service-logs'));
      await services.stop();
      say(`services stopped (${copied} service log file(s) kept for the leak scan)`);
    }
    // Processes a test started and could not stop itself (its layer was killed): stopped by PID now.
    const leftovers = stopRecordedPids(resultsDir);
    if (leftovers > 0) say(`stopped ${leftovers} process(es) that tests had started and left running`);
  }

  // The last check: nothing the run produced may contain a test password or token.
  const secrets = [...(services?.secrets ?? []), ...readFileSync(secretsFile, 'utf8').split('\n').filter(Boolean)];
  const scan = scanForSecrets(resultsDir, secrets);
  totals['leak-scan'] = scan.leaks.length === 0
    ? { passed: 1, failed: 0, skipped: 0, failures: [] }
    : { passed: 0, failed: 1, skipped: 0, failures: scan.leaks.map((l) => ({ title: 'secret found in run output', message: `${l.file} contains ${l.secretHint} (${l.form})` })) };
  say(`leak scan: ${secrets.length} secrets looked for in ${scan.filesScanned} files, ${scan.leaks.length} found`);

  const sum = (key: 'passed' | 'failed' | 'skipped') => Object.values(totals).reduce((n, t) => n + t[key], 0);
  console.log('\nlayer            passed  failed  skipped');
  for (const [name, t] of Object.entries(totals)) {
    console.log(`${name.padEnd(16)} ${String(t.passed).padStart(6)}  ${String(t.failed).padStart(6)}  ${String(t.skipped).padStart(7)}`);
  }
  const failures = Object.values(totals).flatMap((t) => t.failures);
  if (failures.length > 0) {
    console.log('\nfailures:');
    for (const f of failures) console.log(`  - ${f.title}: ${f.message}`);
  }
  console.log(`\n${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  return sum('failed') > 0 ? 1 : 0;
}

void main().then((code) => {
  finished = true;
  process.exit(code);
});
