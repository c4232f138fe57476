#!/usr/bin/env node
// The `carddesk` command. The TypeScript sources are compiled to dist/ by `npm run build`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  process.stderr.write('carddesk is not built yet: run `npm run build` in the CardDesk folder first.\n');
  process.exit(1);
}
require(cli);
