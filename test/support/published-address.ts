/**
 * A non-loopback address for tests of what the desk publishes to other machines (certificates
 * must never name a loopback address). Added to the loopback interface of the test's own network
 * namespace (run it in /work/tools/sandbox, as root); never on the machine's real network.
 */
import { spawnSync } from 'node:child_process';

export const PUBLISHED_ADDRESS = '10.203.0.1';

/** True in a private network namespace like the sandbox's: it has no interface but its loopback. */
function inPrivateNetwork(): boolean {
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  if (links.status !== 0) return false;
  const names = links.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(':')[1]?.trim().split('@')[0]);
  return names.length === 1 && names[0] === 'lo';
}

export function addPublishedAddress(): string {
  if (process.getuid?.() !== 0 || !inPrivateNetwork()) {
    throw new Error(
      `This test publishes http://${PUBLISHED_ADDRESS}/ and must add that address to the loopback interface of a private network namespace (one with no other interface), as root: run it in the sandbox, e.g. /work/tools/sandbox npx vitest run <file>.`,
    );
  }
  const shown = spawnSync('ip', ['-4', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  if (!shown.stdout.includes(`${PUBLISHED_ADDRESS}/32`)) {
    const added = spawnSync('ip', ['addr', 'add', `${PUBLISHED_ADDRESS}/32`, 'dev', 'lo'], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ip addr add ${PUBLISHED_ADDRESS}/32 dev lo failed: ${added.stderr}`);
  }
  return PUBLISHED_ADDRESS;
}
