// A Jest reporter that appends one line per test file as it starts and as it ends to the file
// named by its `file` option (default .tmp/jest-progress.log). CI follows that file while Jest
// runs, so its log shows which file is running, and counts from it when Jest had to be stopped
// before writing its JSON report (a test file that never ends, a process that keeps Jest open).
'use strict';
const { appendFileSync, mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

class ProgressReporter {
  constructor(globalConfig, options = {}) {
    this.file = path.resolve(globalConfig.rootDir, options.file || '.tmp/jest-progress.log');
    this.done = 0;
    this.total = 0;
    this.started = Date.now();
  }

  write(line) {
    appendFileSync(this.file, `${line}\n`);
  }

  elapsed() {
    const s = Math.round((Date.now() - this.started) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  onRunStart(results) {
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file, '');
    this.total = results.numTotalTestSuites;
    this.write(`${this.elapsed()} run ${this.total} test files`);
  }

  onTestStart(test) {
    this.write(`${this.elapsed()} start ${this.name(test.path)}`);
  }

  onTestResult(test, result) {
    this.done++;
    const passed = result.numPassingTests;
    // A file that failed before any test ran (a crash in beforeAll, a syntax error) counts as one failure.
    const broken = (result.testExecError || result.failureMessage) && result.testResults.length === 0 ? 1 : 0;
    const failed = result.numFailingTests + broken;
    const seconds = ((result.perfStats.end - result.perfStats.start) / 1000).toFixed(1);
    const verdict = failed > 0 ? 'FAIL' : 'PASS';
    this.write(
      `${this.elapsed()} ${verdict} ${this.name(test.path)} passed=${passed} failed=${failed} ${seconds}s [${this.done}/${this.total}]`,
    );
  }

  onRunComplete() {
    this.write(`${this.elapsed()} run complete`);
  }

  name(file) {
    return path.relative(process.cwd(), file);
  }
}

module.exports = ProgressReporter;
