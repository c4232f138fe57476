/**
 * A PIN unblocked with the PUK or reset by an operator changes the card, not the vault, so its
 * message cannot ride in a vault commit: the core queues it right after the event (issue 15 §6).
 * The real composition root with the embedded virtual card: a holder with an email gets a card,
 * blocks the PIN, unblocks it with the PUK; the outbox then holds one "PIN unblocked" message for
 * them, and an operator's PIN reset adds one "PIN reset" message; nothing else is added twice.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/core/api/dispatch';
import type { CallContext } from '../../electron/core/api/context';
import { silentLogger } from '../../electron/core/log/logger';
import { VIRTUAL_READER_NAME } from '../../electron/core/readers/virtual-reader';
import type { ChannelArgs, ChannelName } from '../../electron/shared/contract';
import { testCore } from '../support/test-core';
import { holderInput, PASSPHRASE } from '../support/vault-fixtures';
import { waitUntil } from '../support/wait';

const reader = VIRTUAL_READER_NAME;
const desk: CallContext = { surface: 'desk', transport: 'ipc' };
const core = testCore({ virtualReader: true });

async function call<C extends ChannelName>(channel: C, args: ChannelArgs<C>): Promise<unknown> {
  const result = await dispatch(core.handlers, channel, args, desk, silentLogger);
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

async function messages(holderId: string): Promise<{ kind: string; to: string }[]> {
  const outbox = (await call('notify:outbox', { limit: 1000 })) as { messages: { kind: string; to: string; holderId: string | null }[] };
  return outbox.messages.filter((m) => m.holderId === holderId);
}

let holderId = '';
let puk = '';

beforeAll(async () => {
  await core.start();
  await waitUntil(() => core.readers.list().readers.some((r) => r.name === reader), 5000, 'the embedded virtual reader');
  await call('vault:init', { passphrase: PASSPHRASE });
  await call('ca:init', { algorithm: 'p384', rootSubject: 'CN=Notify Root, O=Example', issuingSubject: 'CN=Notify Issuing, O=Example' });
  await call('cards:updatePolicy', { keys: { authentication: 'eccp256', signature: 'eccp256', encryption: 'eccp256' }, escrowEncryptionKeys: false, activation: 'atIssuance' });
  const created = (await call('holders:create', holderInput(41, { email: 'ida@example.org' }))) as { holder: { id: string } };
  holderId = created.holder.id;
  await call('readers:insertVirtualCard', undefined);
  const issued = (await call('cards:issue', { reader, holderId })) as { letters: { kind: string; fileName: string }[] };
  const letter = execFileSync('pdftotext', ['-layout', join(core.dataDir, 'outbox', issued.letters.find((l) => l.kind === 'pin')!.fileName), '-'], { encoding: 'utf8' });
  puk = /PUK\s+(\d{8})\b/.exec(letter)![1]!;
}, 120_000);

afterAll(() => core.dispose());

describe('messages for changes on the card alone', () => {
  it('a PIN unblocked with the PUK: one "PIN unblocked" message to the holder', async () => {
    const before = await messages(holderId);
    expect(before.filter((m) => m.kind === 'pinUnblocked')).toEqual([]);
    for (let i = 0; i < 16; i += 1) {
      const result = (await call('cards:verifyPin', { reader, pin: '00000000' })) as { reason?: string; triesLeft?: number | null };
      if (result.reason === 'pinBlocked' || result.triesLeft === 0) break;
    }
    const unblocked = (await call('cards:unblockPin', { reader, puk, newPin: '31415926' })) as { ok: boolean };
    expect(unblocked.ok).toBe(true);
    const after = await messages(holderId);
    expect(after.filter((m) => m.kind === 'pinUnblocked')).toEqual([expect.objectContaining({ to: 'ida@example.org' })]);
    // Nothing else came with it.
    expect(after.length).toBe(before.length + 1);
  }, 60_000);

  it('an operator’s PIN reset: one "PIN reset" message', async () => {
    const before = await messages(holderId);
    const reset = (await call('cards:resetPin', { reader })) as { ok: boolean };
    expect(reset.ok).toBe(true);
    const after = await messages(holderId);
    expect(after.filter((m) => m.kind === 'pinReset').length).toBe(1);
    expect(after.length).toBe(before.length + 1);
  }, 60_000);
});
