#!/usr/bin/env node
// Prints each failed test of a Jest JSON report (`jest --json --outputFile=...`) with the first
// lines of its message, and each test file that failed without running a test (a crash in
// beforeAll, a syntax error). CI's log keeps only the tail of Jest's own output, where an early
// failure that made later ones fail is easy to lose.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const LINES = 25;
const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');
const head = (text) => plain(text).split('\n').slice(0, LINES).join('\n');
let shown = 0;
for (const file of report.testResults) {
  const name = path.relative(process.cwd(), file.name);
  const failed = file.assertionResults.filter((t) => t.status === 'failed');
  if (file.status === 'failed' && failed.length === 0) {
    console.log(`\n--- FAILED ${name} (no test ran)\n${head(file.message || '')}`);
    shown++;
  }
  for (const t of failed) {
    const ms = t.duration == null ? '' : ` (${t.duration} ms)`;
    console.log(`\n--- FAILED ${name} › ${t.fullName}${ms}\n${head(t.failureMessages.join('\n'))}`);
    shown++;
  }
}
if (shown > 0) console.log(`\n${shown} failure(s) listed above.`);
