/** `carddesk vcard serve`: a virtual PIV card for the whole system, inserted and removed on command. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../electron/core/api/event-hub';
import { silentLogger } from '../../electron/core/log/logger';
import { loadPcscLite } from '../../electron/core/readers/pcsc-binding';
import { PcscReaderService } from '../../electron/core/readers/pcsc-reader-service';
import { repoRoot } from '../support/host-process';
import { Pcscd } from '../support/pcscd';
import { run } from '../support/run';
import { waitUntil } from '../support/wait';

const READER = 'Virtual PCD 00 01';
let pcscd: Pcscd;
let readers: PcscReaderService;
let serve: ChildProcessWithoutNullStreams;
let output = '';
const state = join(mkdtempSync(join(tmpdir(), 'carddesk-serve-')), 'card.json');

const cardState = (): string | undefined => readers.list().readers.find((reader) => reader.name === READER)?.cardState;

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  readers = new PcscReaderService({ loadOpener: loadPcscLite, emit: new EventHub().emit, log: silentLogger });
  await readers.start();
  serve = spawn(process.execPath, [join(repoRoot, 'bin', 'carddesk.cjs'), 'vcard', 'serve', '--reader', '1', '--state', state, '--serial', '24681357']);
  serve.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(() => output.includes('inserted'), 15_000, 'the card to be inserted');
});

afterAll(async () => {
  if (serve.exitCode === null) {
    serve.stdin.write('quit\n');
    await new Promise((resolve) => serve.once('exit', resolve));
  }
  readers?.dispose();
  await pcscd?.stop();
});

describe('carddesk vcard serve', () => {
  it('puts a PIV card with the given serial into vpcd reader 1', async () => {
    expect(output).toMatch(/card 24681357 inserted in vpcd reader 1 \(127\.0\.0\.1:35964\)/);
    await waitUntil(() => cardState() === 'present', 5000, 'pcscd to see the card');
    const status = await run('yubico-piv-tool', ['--reader', READER, '--action', 'status']);
    expect(status.stdout).toMatch(/Serial Number:\s+24681357/);
  });

  it('takes the card out and puts it back on "remove" / "insert" and on SIGUSR2 / SIGUSR1', async () => {
    serve.stdin.write('remove\n');
    await waitUntil(() => cardState() === 'absent', 5000, 'the card to go out');
    serve.stdin.write('insert\n');
    await waitUntil(() => cardState() === 'present', 5000, 'the card to come back');
    serve.kill('SIGUSR2');
    await waitUntil(() => cardState() === 'absent', 5000, 'the card to go out on SIGUSR2');
    serve.kill('SIGUSR1');
    await waitUntil(() => cardState() === 'present', 5000, 'the card to come back on SIGUSR1');
  });

  it('puts the card back by itself after pcscd restarts', async (context) => {
    if (!pcscd.startedByUs) {
      console.warn('SKIPPED: pcscd belongs to someone else; this test only restarts a pcscd it started');
      context.skip();
    }
    await pcscd.stop();
    await waitUntil(() => output.includes('waiting for vpcd reader 1'), 5000, 'the server to notice');
    await pcscd.start();
    await waitUntil(() => (output.match(/inserted/g) ?? []).length >= 4, 10_000, 'the card to go back in');
    await waitUntil(() => cardState() === 'present', 10_000, 'pcscd to see it again');
  });

  it('keeps the card’s memory in the state file: the serial survives a restart of the server', async () => {
    serve.stdin.write('quit\n');
    await new Promise((resolve) => serve.once('exit', resolve));
    output = '';
    serve = spawn(process.execPath, [join(repoRoot, 'bin', 'carddesk.cjs'), 'vcard', 'serve', '--reader', '1', '--state', state]);
    serve.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(() => output.includes('inserted'), 15_000, 'the card to be inserted');
    expect(output).toMatch(/card 24681357 inserted/);
  });
});
