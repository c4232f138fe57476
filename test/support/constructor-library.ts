/**
 * A shared library that says when it was loaded: its constructor (which runs as soon as anything
 * loads it, before any PKCS#11 call) appends a line to the file named by CARDDESK_TEST_MARKER.
 * Tests use it to prove a path check came before any load. Built with the system's C compiler.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const MARKER_VARIABLE = 'CARDDESK_TEST_MARKER';

const source = `
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void loaded(void) {
  const char *marker = getenv("${MARKER_VARIABLE}");
  if (marker == NULL) return;
  FILE *f = fopen(marker, "a");
  if (f != NULL) { fputs("constructor ran\\n", f); fclose(f); }
}
`;

/** Compiles the library to `out` (its folder is created). */
export function buildConstructorLibrary(out: string): string {
  mkdirSync(dirname(out), { recursive: true });
  const c = `${out}.c`;
  writeFileSync(c, source);
  const built = spawnSync('cc', ['-shared', '-fPIC', '-o', out, c], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`cc could not build the test library: ${built.stderr}`);
  return out;
}

/**
 * A folder fit to hold libraries: owned by the user running the tests, and (unlike anything
 * under /tmp, which everybody may write) with no folder above it that others can change.
 */
export function privateLibraryFolder(): string {
  const base = join(homedir(), '.cache');
  mkdirSync(base, { recursive: true, mode: 0o755 });
  return mkdtempSync(join(base, 'carddesk-test-lib-'));
}
