#!/usr/bin/env node
// The `carddesk` command. The TypeScript sources are compiled to dist/ by `npm run build`; in a
// source checkout this builds first when dist/ is missing or older than the sources (once, about
// ten seconds; the check itself takes a few tens of milliseconds).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'scripts', 'build-stamp.cjs');
if (existsSync(stamp)) {
  const built = require(stamp).buildIfChanged({
    announce: 'Building CardDesk first (the sources changed or were never built)…\n',
    // The build's own output goes to stderr: stdout belongs to the command (--json, exports).
    stdio: ['ignore', 2, 2],
  });
  if (!built) {
    process.stderr.write('carddesk could not be built: see the messages above, or run `npm run build` in the CardDesk folder.\n');
    process.exit(1);
  }
}
require(join(root, 'dist', 'cli-boot.cjs'));
