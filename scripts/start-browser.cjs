// `npm run start:browser`: builds dist/ first only when a source changed, then runs the browser-mode
// host (dist/host.cjs) in this same process: one Node start fewer on the way to the first screen
// than a separate build check would cost.
const { join } = require('node:path');

if (!require('./build-stamp.cjs').buildIfChanged({ stdio: 'inherit' })) {
  process.stderr.write('CardDesk could not be built: see the messages above.\n');
  process.exit(1);
}
require(join(__dirname, '..', 'dist', 'host.cjs'));
