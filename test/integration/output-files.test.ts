/**
 * Issue 11 §6: files written where the user says, and the data folder private whoever creates it.
 * Every `--out`/`--output` route of the CLI: no link followed, no existing file replaced without
 * --force, the right mode (0600 holder data and secrets, 0644 CRLs and CA certificates). The data
 * folder made by the CLI and by browser mode: folders 0700, files 0600.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { carddesk } from '../support/cli';
import { VIRTUAL_READER_NAME } from '../../electron/core/readers/virtual-reader';
import { freshHome, repoRoot, startHostProcess } from '../support/host-process';
import { openHostSession } from '../support/host-session';
import { PASSPHRASE, personalNumber } from '../support/vault-fixtures';

const root = freshHome('carddesk-out-');
// Not made by the test: the first CardDesk process creates it.
const home = join(root, 'desk');
const out = join(root, 'out');
mkdirSync(out);
const run = (args: string[], input = '') => carddesk(args, { home, input, timeoutMs: 60_000 });
const pass = `${PASSPHRASE}\n`;
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

/** Every folder and file under `dir` whose mode lets others (group or world) in. */
function looseEntries(dir: string): string[] {
  const loose: string[] = [];
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) loose.push(`${(stat.mode & 0o777).toString(8)} ${path.slice(dir.length) || '/'}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if ((stat.mode & 0o777) !== 0o600) loose.push(`${(stat.mode & 0o777).toString(8)} ${path.slice(dir.length)} (files are 0600)`);
  };
  walk(dir);
  return loose;
}

let serial = '';

beforeAll(async () => {
  const init = await run(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
  expect(init.code, init.stderr).toBe(0);
  const ca = await run(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Out Root, O=Test', '--issuing-name', 'CN=Out Issuing, O=Test'], pass);
  expect(ca.code, ca.stderr).toBe(0);
  const added = await run(['holder', 'add', '--personal-number', personalNumber(7), '--first-name', 'Ada', '--last-name', 'Lovelace', '--email', 'ada@example.org']);
  expect(added.code, added.stderr).toBe(0);
  writeFileSync(join(root, 'key.pub'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }));
  const issued = await run(['ca', 'issue', '--profile', 'authentication', '--public-key', join(root, 'key.pub'), '--holder', personalNumber(7), '--out', join(out, 'issued.pem')], pass);
  expect(issued.code, issued.stderr).toBe(0);
  serial = new X509Certificate(readFileSync(join(out, 'issued.pem'))).serialNumber.replace(/^0+/, '');
}, 180_000);

describe('the data folder is private whoever creates it', () => {
  it('the CLI made it: every folder 0700, every file 0600', () => {
    expect(existsSync(join(home, 'vault', 'vault.json'))).toBe(true);
    expect(existsSync(join(home, 'audit'))).toBe(true);
    expect(looseEntries(home)).toEqual([]);
  });

  it('browser mode made it: every folder 0700, every file 0600 (logs, audit index, virtual card included)', async () => {
    const browserHome = join(freshHome('carddesk-out-browser-'), 'desk');
    const host = await startHostProcess({ home: browserHome });
    try {
      const deadline = Date.now() + 10_000;
      while (!existsSync(join(browserHome, 'audit', 'index')) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
      // The embedded virtual card keeps its memory in virtual-card/: reading it creates the file.
      const session = await openHostSession(host);
      const inspected = await session.call('cards:inspect', { reader: VIRTUAL_READER_NAME });
      expect(inspected.envelope.ok, JSON.stringify(inspected.envelope)).toBe(true);
      session.close();
    } finally {
      await host.stop();
    }
    expect(existsSync(join(browserHome, 'logs', 'carddesk.log'))).toBe(true);
    expect(existsSync(join(browserHome, 'audit', 'index'))).toBe(true);
    expect(existsSync(join(browserHome, 'virtual-card', 'card.json'))).toBe(true);
    expect(looseEntries(browserHome)).toEqual([]);
  }, 30_000);

  it('a data folder an older CardDesk left readable is narrowed at the next start', async () => {
    const oldHome = join(freshHome('carddesk-out-old-'), 'desk');
    mkdirSync(join(oldHome, 'logs'), { recursive: true, mode: 0o755 });
    writeFileSync(join(oldHome, 'logs', 'carddesk.log'), '', { mode: 0o644 });
    const status = await carddesk(['vault', 'status'], { home: oldHome });
    expect(status.code, status.stderr).toBe(0);
    expect(looseEntries(oldHome)).toEqual([]);
  });
});

/** One route: a new file gets `expected` mode; an existing one needs --force; a link is never followed. */
function outputRoute(name: string, expectedMode: string, args: (file: string) => string[], input = '') {
  describe(name, () => {
    const file = join(out, `${name.replace(/\W+/g, '-')}.out`);

    it(`writes a new file with mode ${expectedMode}`, async () => {
      const result = await run(args(file), input);
      expect(result.code, result.stderr).toBe(0);
      expect(mode(file)).toBe(expectedMode);
      expect(readdirSync(out).filter((entry) => entry.endsWith('.tmp'))).toEqual([]);
    });

    it('refuses to replace an existing file without --force, and leaves it as it was', async () => {
      writeFileSync(file, 'keep me');
      const result = await run(args(file), input);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`${file} already exists; nothing was written. Choose another name, or replace it with --force.`);
      expect(readFileSync(file, 'utf8')).toBe('keep me');
    });

    it('replaces it with --force', async () => {
      writeFileSync(file, 'old');
      const result = await run([...args(file), '--force'], input);
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).not.toBe('old');
      expect(mode(file)).toBe(expectedMode);
    });

    it('never writes through a symbolic link, even with --force', async () => {
      const victim = join(out, `${name.replace(/\W+/g, '-')}.victim`);
      writeFileSync(victim, 'untouched');
      const link = join(out, `${name.replace(/\W+/g, '-')}.link`);
      symlinkSync(victim, link);
      const result = await run([...args(link), '--force'], input);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`${link} is a symbolic link; CardDesk does not write through links.`);
      expect(readFileSync(victim, 'utf8')).toBe('untouched');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
    });
  });
}

outputRoute('holder export', '600', (file) => ['holder', 'export', '--out', file]);
outputRoute('audit export', '600', (file) => ['audit', 'export', '--output', file]);
outputRoute('ca export --ca', '644', (file) => ['ca', 'export', '--ca', '--out', file]);
outputRoute('ca export serial', '600', (file) => ['ca', 'export', serial, '--out', file]);
outputRoute('ca issue', '600', (file) => ['ca', 'issue', '--profile', 'authentication', '--public-key', join(root, 'key.pub'), '--holder', personalNumber(7), '--out', file], pass);
outputRoute('vault backup', '600', (file) => ['vault', 'backup', file], pass);

describe('ca crl --out <folder>', () => {
  const dir = join(out, 'crl');

  it('publishes public files (0644), refuses to replace them without --force, replaces them with it', async () => {
    const first = await run(['ca', 'crl', '--out', dir], pass);
    expect(first.code, first.stderr).toBe(0);
    expect(mode(join(dir, 'ca.crl'))).toBe('644');
    expect(mode(join(dir, 'issuing.pem'))).toBe('644');
    const before = readFileSync(join(dir, 'ca.crl'));
    const again = await run(['ca', 'crl', '--out', dir], pass);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists; nothing was written/);
    expect(readFileSync(join(dir, 'ca.crl'))).toEqual(before);
    const forced = await run(['ca', 'crl', '--out', dir, '--force'], pass);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'ca.crl'))).not.toEqual(before);
  });

  it('never writes a CRL through a link', async () => {
    const linked = join(out, 'crl-linked');
    mkdirSync(linked);
    writeFileSync(join(out, 'crl-victim'), 'untouched');
    symlinkSync(join(out, 'crl-victim'), join(linked, 'ca.crl'));
    const result = await run(['ca', 'crl', '--out', linked, '--force'], pass);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ca\.crl is a symbolic link/);
    expect(readFileSync(join(out, 'crl-victim'), 'utf8')).toBe('untouched');
    expect(existsSync(join(linked, 'ca-delta.crl'))).toBe(false);
  });
});

/** Runs carddesk in a pseudo-terminal (util-linux `script`), answering `answer` when it asks. */
function atTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, join(repoRoot, 'bin', 'carddesk.cjs'), ...args].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, CARDDESK_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!answered && output.includes('Replace it? [y/N]')) {
      answered = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('at a terminal, replacing a file is asked, not assumed', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;

  it('asks; "n" keeps the file, "y" replaces it', async (context) => {
    if (!hasScript) {
      console.warn('SKIPPED: util-linux `script` is not installed, so no pseudo-terminal can be made');
      context.skip();
    }
    const file = join(out, 'asked.csv');
    writeFileSync(file, 'keep me');
    const no = await atTerminal(['holder', 'export', '--out', file], 'n');
    expect(no.output).toContain(`${file} already exists. Replace it? [y/N]`);
    expect(no.code).not.toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    const yes = await atTerminal(['holder', 'export', '--out', file], 'y');
    expect(yes.code, yes.output).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^userNumber,personalNumber,/);
    expect(mode(file)).toBe('600');
  }, 60_000);
});
