/**
 * A desk for card life-cycle tests: a real vault (initialised, unlocked, with a P-384 CA) in a
 * temporary CARDDESK_HOME, a holder, and virtual PIV cards in memory behind one reader that can be
 * swapped and pulled at an exact APDU.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CardDeskError } from '../../electron/shared/errors';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { ReaderHolds } from '../../electron/core/cards/reader-holds';
import { createLifecycleServices, type LifecycleServices } from '../../electron/core/lifecycle/lifecycle-services';
import { silentLogger } from '../../electron/core/log/logger';
import { ApduTransport } from '../../electron/core/piv/apdu-transport';
import { PivClient } from '../../electron/core/piv/piv-client';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import type { Holder, HolderInput } from '../../electron/shared/schemas/holders';
import type { WorkflowProgress } from '../../electron/shared/schemas/lifecycle';
import { MemoryCardStateStore } from '../../electron/vcard/card-state';
import { factoryState } from '../../electron/vcard/factory';
import { VirtualPivCard } from '../../electron/vcard/piv-card';
import { connectTo, type TestConnection } from './memory-card';
import { holderInput, operator, PASSPHRASE, tempHome } from './vault-fixtures';

export const READER = 'Desk Reader';

export interface LifecycleRig extends LifecycleServices {
  readonly home: string;
  readonly vault: VaultServices;
  readonly audit: MemoryAuditTrail;
  readonly progress: WorkflowProgress[];
  readonly holds: ReaderHolds;
  /** The card in the reader (null: empty). */
  card: VirtualPivCard | null;
  /** Set before a workflow: the next connection pulls the card at the n-th APDU from its start, before the card runs it or after (its answer lost). */
  pullAt: { at: number; when: 'before' | 'after' } | null;
  lastConnection: TestConnection | null;
  newHolder(n: number, overrides?: Partial<HolderInput>): Promise<Holder>;
  /** Moves the desk's clock (vault, CA and workflows) this many days ahead of real time. */
  travel(days: number): void;
  close(): Promise<void>;
}

let serials = 30_000_000;

/** A factory-fresh virtual card with its own serial. */
export async function blankCard(): Promise<VirtualPivCard> {
  serials += 1;
  return VirtualPivCard.open(new MemoryCardStateStore(await factoryState({ serial: serials })));
}

/** A client on the card as a second reader would see it (for checks after a workflow). */
export async function inspect(card: VirtualPivCard): Promise<PivClient> {
  const client = new PivClient(new ApduTransport(connectTo(card)));
  await client.select();
  return client;
}

export async function lifecycleRig(): Promise<LifecycleRig> {
  const home = tempHome('carddesk-lifecycle-');
  const audit = new MemoryAuditTrail();
  let offset = 0;
  const clock = (): Date => new Date(Date.now() + offset);
  const vault = createVaultServices({ dataDir: home, audit, log: silentLogger, clock });
  await vault.vault.init(Buffer.from(PASSPHRASE), operator);
  await vault.ca.init(
    { algorithm: 'p384', rootSubject: 'CN=Lifecycle Root, O=CardDesk Test', issuingSubject: 'CN=Lifecycle Issuing, O=CardDesk Test', rootValidityYears: 10, issuingValidityYears: 5, publicBaseUrl: null },
    operator,
  );
  const progress: WorkflowProgress[] = [];
  const rig = { home, vault, audit, progress, card: null, pullAt: null, lastConnection: null } as unknown as LifecycleRig & { holds: ReaderHolds };
  const holds = new ReaderHolds({
    connect: (name) => {
      if (name !== READER || rig.card === null) return Promise.reject(new CardDeskError('NO_CARD', 'The reader holds no card.'));
      const connection = connectTo(rig.card, READER);
      if (rig.pullAt?.when === 'before') connection.pullBefore(rig.pullAt.at);
      if (rig.pullAt?.when === 'after') connection.pullAfter(rig.pullAt.at);
      rig.pullAt = null;
      rig.lastConnection = connection;
      return Promise.resolve(connection);
    },
  });
  const services = createLifecycleServices({ dataDir: home, vault, holds, audit, clock, emit: (event) => progress.push(event) });
  // Cards are active at issuance here, as the tests of what follows issuance need; card-activation.test.ts turns activation on.
  await services.lifecycle.updatePolicy({ activation: 'atIssuance' }, operator);
  let count = 0;
  return Object.assign(rig, services, {
    holds,
    newHolder: async (n: number, overrides: Partial<HolderInput> = {}) => {
      count += 1;
      const saved = await vault.directory.create(holderInput(n * 1000 + count, overrides), operator);
      if (!saved.ok) throw new Error(`holder not saved: ${JSON.stringify(saved.problems)}`);
      return saved.holder;
    },
    travel: (days: number) => {
      offset = days * 86_400_000;
    },
    close: () => vault.close(),
  });
}

/** The text of a PDF in the outbox (poppler's pdftotext: a reader we did not write). */
export function letterText(rig: { home: string }, fileName: string): string {
  return execFileSync('pdftotext', ['-layout', join(rig.home, 'outbox', fileName), '-'], { encoding: 'utf8' });
}

/** The PIN (and PUK) printed in a PIN letter. */
export function secretsIn(text: string): { pin: string; puk: string | null } {
  const pin = /PIN\s+(\d{6,8})\b/.exec(text)?.[1];
  if (pin === undefined) throw new Error(`no PIN in the letter:\n${text}`);
  return { pin, puk: /PUK\s+(\d{8})\b/.exec(text)?.[1] ?? null };
}
