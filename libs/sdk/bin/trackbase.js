#!/usr/bin/env node
// The `trackbase` command. A file in the repository (not in dist/) so that
// `npm install` links it before anything is built; it says what to do until then.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'trackbase: the CLI is not built yet. In the Trackbase checkout, run `npm start` (it builds the SDK and CLI) or `npx nx run @trackbase/sdk:build`.\n',
  );
  process.exit(1);
}
require(cli);
