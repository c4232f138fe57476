/**
 * A non-loopback address for tests of what the desk publishes to other machines (certificates
 * must never name a loopback address). Added to the loopback interface of a private network
 * namespace, never on the machine's real network: a test that needs it runs its own file again
 * inside `unshare --net` (root only), see `runInPrivateNetwork`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const PUBLISHED_ADDRESS = '10.203.0.1';

const repoRoot = join(import.meta.dirname, '..', '..');

/** True in a private network namespace: it has no interface but its loopback. */
export function inPrivateNetwork(): boolean {
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
    throw new Error(`adding http://${PUBLISHED_ADDRESS}/ needs root in a private network namespace (one with no interface but its loopback)`);
  }
  const shown = spawnSync('ip', ['-4', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  if (!shown.stdout.includes(`${PUBLISHED_ADDRESS}/32`)) {
    const added = spawnSync('ip', ['addr', 'add', `${PUBLISHED_ADDRESS}/32`, 'dev', 'lo'], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`ip addr add ${PUBLISHED_ADDRESS}/32 dev lo failed: ${added.stderr}`);
  }
  return PUBLISHED_ADDRESS;
}

/**
 * Runs one integration test file again in a network namespace of its own (`unshare --net`, which
 * needs root), where `addPublishedAddress` may add its address. Returns the run's exit status and
 * output; the inner run's own vitest summary is the evidence.
 */
export function runInPrivateNetwork(file: string): { status: number | null; output: string } {
  const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
  const run = spawnSync(
    'unshare',
    ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, vitest, 'run', '--project', 'integration', file],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 240_000 },
  );
  const why = run.error ? `\n${run.error.message}` : '';
  // eslint-disable-next-line no-control-regex -- terminal colours, whatever the environment asked for
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${why}`.replace(/\x1b\[[0-9;]*m/g, '');
  return { status: run.status, output };
}
