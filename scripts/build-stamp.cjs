// The digest of everything the build reads, so `npm start`, `npm run start:browser` and the
// `carddesk` command rebuild only when a source changed (scripts/build.mjs --if-changed).
// CommonJS, so bin/carddesk.cjs can use it too.
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const BUILD_STAMP = join(root, 'dist', '.build-stamp');

// Folders and files the bundles are made from; tests are not part of any bundle.
const INPUTS = ['electron', 'renderer', 'resources', 'scripts/build.mjs', 'scripts/build-stamp.cjs', 'scripts/contract-names.mjs', 'vite.config.ts', 'tsconfig.json', 'package-lock.json'];
const NOT_AN_INPUT = /\.test\.tsx?$/;

function inputFiles() {
  const files = [];
  for (const input of INPUTS) {
    const absolute = join(root, input);
    if (!existsSync(absolute)) continue;
    if (statSync(absolute).isFile()) {
      files.push(absolute);
      continue;
    }
    for (const entry of readdirSync(absolute, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && !NOT_AN_INPUT.test(entry.name)) files.push(join(entry.parentPath, entry.name));
    }
  }
  return files;
}

/** A SHA-256 over the relative path and content of every input file, in a stable order. */
function inputsDigest() {
  const hash = createHash('sha256');
  for (const file of inputFiles().sort()) {
    hash.update(file.slice(root.length));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** True when the last complete build was made from exactly today's inputs. */
function isUpToDate() {
  if (!existsSync(BUILD_STAMP)) return false;
  return readFileSync(BUILD_STAMP, 'utf8').trim() === inputsDigest();
}

/**
 * Builds dist/ when a source changed (scripts/build.mjs --if-changed, which also waits for a build
 * already running); does nothing when it is up to date. For the launchers that then load a bundle
 * in their own process. Returns whether dist/ is usable.
 */
function buildIfChanged({ announce, stdio }) {
  if (isUpToDate()) return true;
  if (announce !== undefined) process.stderr.write(announce);
  return spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-changed'], { cwd: root, stdio }).status === 0;
}

module.exports = { BUILD_STAMP, inputsDigest, isUpToDate, buildIfChanged };
