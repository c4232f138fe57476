#!/usr/bin/env node
// The `carddesk` command. The TypeScript sources are compiled to dist/ by `npm run build`; in a
// source checkout this builds first when dist/ is missing or older than the sources (once, about
// ten seconds; the check itself takes a few tens of milliseconds).
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const buildScript = join(root, 'scripts', 'build.mjs');
if (existsSync(buildScript) && !require(join(root, 'scripts', 'build-stamp.cjs')).isUpToDate()) {
  process.stderr.write('Building CardDesk first (the sources changed or were never built)…\n');
  // The build's own output goes to stderr: stdout belongs to the command (--json, exports).
  const built = spawnSync(process.execPath, [buildScript, '--if-changed'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) {
    process.stderr.write('carddesk could not be built: see the messages above, or run `npm run build` in the CardDesk folder.\n');
    process.exit(1);
  }
}
require(join(root, 'dist', 'cli.cjs'));
