#!/usr/bin/env node
// The `caliper` command. Compiling the CLI's TypeScript on load costs about a second per command,
// so it runs the build in dist/cli (tools/build/cli.ts) while that build is of the current sources
// (prebuilt.js checks in a few milliseconds). Without one — a fresh checkout, or sources changed
// since — it builds it for the next command and runs this one from the sources; when it cannot
// build (a read-only checkout, say), it says why and still runs from the sources.
// CALIPER_CLI_TRACE=1 says on stderr which it ran.
const path = require('node:path');
const prebuilt = require('./prebuilt.js');

const trace = process.env.CALIPER_CLI_TRACE === '1' ? (line) => console.error(`caliper: ${line}`) : () => {};
const dir = prebuilt.buildDir();
const why = {};
const entry = prebuilt.currentBuild(dir, prebuilt.ROOT, why);
if (entry) {
  trace(`running the build in ${path.relative(process.cwd(), dir) || '.'}`);
  require('reflect-metadata');
  require(entry);
} else {
  require('../register.js');
  const fromSources = () => {
    trace('running from the sources');
    require('./main.ts');
  };
  trace(`building ${dir} (${why.reason})`);
  require('../build/cli.ts')
    .buildCli(dir)
    .then(
      (built) => trace(`built ${built.files} files in ${built.ms} ms`),
      (err) => console.error(`caliper: could not build ${dir} (${err.message}); running from the sources, slower`),
    )
    .then(fromSources);
}
