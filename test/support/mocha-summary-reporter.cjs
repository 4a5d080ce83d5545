// A mocha reporter that prints like `spec` and also writes {passed, failed, skipped, failures}
// to $OGELBASE_SUMMARY_FILE, which the test harness adds up into its final line. Plain CommonJS
// because mocha loads reporters by path, inside Node and inside the VS Code extension host alike.
'use strict';
const { writeFileSync } = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const summary = { passed: 0, failed: 0, skipped: 0, failures: [] };
    runner.on(EVENT_TEST_PASS, () => summary.passed++);
    runner.on(EVENT_TEST_PENDING, () => summary.skipped++);
    runner.on(EVENT_TEST_FAIL, (test, error) => {
      summary.failed++;
      summary.failures.push({ title: test.fullTitle(), message: String(error && error.message).slice(0, 500) });
    });
    runner.once(EVENT_RUN_END, () => {
      const file = (options && options.reporterOption && options.reporterOption.summaryFile) || process.env.OGELBASE_SUMMARY_FILE;
      if (file) writeFileSync(file, JSON.stringify(summary));
    });
  }
}

module.exports = SummaryReporter;
