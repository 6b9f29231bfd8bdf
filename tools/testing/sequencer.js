// Jest's order of test files, for a checkout that has no timings yet. Jest runs the files it has
// timed longest first, so two workers end together; with no cache (CI's fresh clone) it falls back
// to file size, which put the browser suites (3x slower per byte than the other integration files)
// among the last and left one worker running them alone: Jest took 18.5 min from a fresh clone
// against 15 min with timings. A file with no cached time gets one estimated from its size and
// kind, in ms per byte measured on a full run (browser 2.7, integration 0.8, unit 0.2).
'use strict';
const Sequencer = require('@jest/test-sequencer').default;
const { statSync } = require('node:fs');

const MS_PER_BYTE = [
  [/[\\/]e2e[\\/]/, 2.7],
  [/\.int-spec\.tsx?$/, 0.8],
  [/./, 0.2],
];

class EstimatingSequencer extends Sequencer {
  time(test) {
    const cached = super.time(test);
    if (cached != null) return cached;
    const [, perByte] = MS_PER_BYTE.find(([pattern]) => pattern.test(test.path));
    let size = 0;
    try {
      size = statSync(test.path).size;
    } catch {
      // a file that went away: Jest reports it
    }
    return size * perByte;
  }
}

module.exports = EstimatingSequencer;
