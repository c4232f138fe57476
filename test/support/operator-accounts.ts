/**
 * For operator sign-in tests (issue 17): operator accounts as records in memory (an honest fake of
 * the accounts' lookup only: cards, CA and certificate status stay real), and a card issued through
 * the real issuance with its PIN read from its PIN letter.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { OperatorLookup } from '../../electron/core/operators/operator-lookup';
import type { ChannelArgs, ChannelName, ChannelResult } from '../../electron/shared/contract';
import type { OperatorRecord } from '../../electron/shared/schemas/operators';
import { secretsIn } from './lifecycle-rig';
import { holderInput } from './vault-fixtures';

export function memoryOperatorAccounts(): { accounts: Map<string, OperatorRecord>; lookup: OperatorLookup } {
  const accounts = new Map<string, OperatorRecord>();
  const lookup: OperatorLookup = {
    byCertificate: (serial) => [...accounts.values()].find((record) => record.cards.some((card) => card.certificateSerial === serial)) ?? null,
    byId: (id) => accounts.get(id) ?? null,
    bootstrapOver: () => accounts.size > 0,
  };
  return { accounts, lookup };
}

type Call = <C extends ChannelName>(channel: C, args: ChannelArgs<C>) => Promise<ChannelResult<C>>;

/** Makes holder `n` and issues the card in `reader` for them; returns its serial, PIN (from the PIN letter) and certificates (9A first). */
export async function issueCardFor(call: Call, reader: string, n: number, purpose: 'holder' | 'operator') {
  const created = await call('holders:create', holderInput(n));
  if (!created.ok) throw new Error('the holder was not created');
  const result = await call('cards:issue', { reader, holderId: created.holder.id, purpose });
  if (!result.ok) throw new Error(`the issuance stopped: ${result.reason}`);
  const letter = result.letters.find((l) => l.kind === 'pin');
  const text = execFileSync('pdftotext', ['-layout', join(result.outbox, letter?.fileName ?? 'missing.pdf'), '-'], { encoding: 'utf8' });
  return { holderId: created.holder.id, serial: result.serial, pin: secretsIn(text).pin, certificates: result.certificates };
}
