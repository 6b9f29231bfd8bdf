#!/usr/bin/env bash
# `npm ci` on the Node that package.json pins (its `node` dev dependency, Node 22), whatever Node
# the machine has: on an older one npm itself would run the install on it and warn about every
# package that needs 22. npx fetches the pinned `node` package once (cached in ~/.npm/_npx) and
# runs npm ci with it first on PATH; afterwards node_modules/.bin/node is that same Node for every
# npm script and npx command. Arguments go to npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
pinned=$(node -p 'require("./package.json").devDependencies.node')
if node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=15)?0:1)'; then
  exec npm ci "$@"
fi
echo "Node $(node -v) is older than Caliper's (>= 22.15): installing with Node ${pinned} from the npm registry"
exec npx --yes -p "node@${pinned}" -- npm ci "$@"
