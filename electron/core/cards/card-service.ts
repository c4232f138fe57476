/**
 * What the Cards screen and `carddesk card …` do with a card in a reader: inspect it, verify the
 * PIN, change PIN and PUK, unblock the PIN with the PUK, set the retry limits. Every operation is
 * recorded in the audit trail (never with a secret); secrets arrive as Buffers and are zeroed here.
 */
import { asymmetricAlgorithmOf, FACTORY, OBJECT, PIN_REF, SLOTS, type SymmetricAlgorithm } from '../../smartcard/piv';
import type { AuditAction } from '../../shared/schemas/audit';
import type { CardActionResult, CardInspectResult, PivCardDetails, PivSlotSummary } from '../../shared/schemas/cards';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import type { ReferenceCheck, PivClient } from '../piv/piv-client';
import { parseChuid } from '../piv/piv-objects';
import { setRetryCounters } from '../piv/piv-procedures';
import type { CardConnector } from '../readers/card-connection';
import { holderOfCard, type CardOwners } from './card-owners';
import { withPivSession, type PivSession, type SessionFailure } from './card-session';
import { summarizeCertificate } from './certificate-summary';

export interface CardServiceDeps {
  readonly connector: CardConnector;
  readonly audit: AuditTrail;
  /** Whose card it is: its events go into that holder's history (default: no directory). */
  readonly owners?: CardOwners;
}

export type ManagementKeyInput = { kind: 'factory' } | { kind: 'custom'; algorithm: SymmetricAlgorithm; key: Buffer };

/** The card's identity as the directory and the audit trail know it. */
export async function cardSerial(client: PivClient): Promise<string | null> {
  const serial = await client.serial();
  if (serial !== null) return String(serial);
  const chuid = await client.readObject(OBJECT.CHUID);
  return chuid === null ? null : parseChuid(chuid).guid;
}

function referenceResult(check: ReferenceCheck, wrong: 'wrongPin' | 'wrongPuk', blocked: 'pinBlocked' | 'pukBlocked'): CardActionResult {
  if (check.ok) return { ok: true };
  return check.reason === 'blocked' ? { ok: false, reason: blocked, triesLeft: 0 } : { ok: false, reason: wrong, triesLeft: check.triesLeft };
}

function wipe(...secrets: (Buffer | undefined)[]): void {
  for (const secret of secrets) secret?.fill(0);
}

export class CardService {
  readonly #deps: CardServiceDeps;

  constructor(deps: CardServiceDeps) {
    this.#deps = deps;
  }

  async inspect(readerName: string): Promise<CardInspectResult> {
    const result = await withPivSession(this.#deps.connector, readerName, 'leave', async (session) => ({
      ok: true as const,
      card: await this.#details(session),
    }));
    if (result.ok) return result;
    if (result.reason === 'notPiv') return { ok: true, card: { kind: 'other', reader: readerName, atr: result.atr } };
    return { ok: false, reason: result.reason };
  }

  async #details(session: PivSession): Promise<PivCardDetails> {
    const { client, application } = session;
    const version = await client.version();
    const serial = await cardSerial(client);
    const chuidBytes = await client.readObject(OBJECT.CHUID);
    const chuid = chuidBytes === null ? null : parseChuid(chuidBytes);
    const pinMeta = await client.referenceMetadata(PIN_REF.PIV_PIN);
    const pukMeta = await client.referenceMetadata(PIN_REF.PUK);
    const pinStatus = pinMeta === null ? await client.pinStatus() : null;
    const keyMeta = await client.managementKeyMetadata();
    const slots: PivSlotSummary[] = [];
    for (const slot of SLOTS.slice(0, 4)) {
      const key = await client.keyMetadata(slot.slot);
      const certificate = await client.readCertificate(slot.slot);
      slots.push({
        slot: slot.slot,
        name: slot.name,
        key: key === null ? null : { algorithm: asymmetricAlgorithmOf(key.algorithmId) ?? null, origin: key.origin, pinPolicy: key.pinPolicy },
        certificate: certificate === null ? null : summarizeCertificate(certificate),
      });
    }
    return {
      kind: 'piv',
      reader: session.readerName,
      atr: Buffer.from(session.atr).toString('hex').toUpperCase(),
      label: application.label,
      serial,
      version,
      chuid: chuid === null ? null : { guid: chuid.guid, expires: chuid.expires },
      pin: pinMeta === null ? { triesLeft: pinStatus?.triesLeft === -1 ? null : (pinStatus?.triesLeft ?? null), maxTries: null, isDefault: null } : pinMeta,
      puk: pukMeta ?? { triesLeft: null, maxTries: null, isDefault: null },
      managementKey: keyMeta ?? { algorithm: null, isDefault: null },
      slots,
    };
  }

  /** Runs one PIN-class operation and records it; the card is reset afterwards. */
  async #pinOperation(
    readerName: string,
    action: AuditAction,
    operation: OperationContext,
    work: (session: PivSession) => Promise<CardActionResult>,
  ): Promise<CardActionResult> {
    let serial: string | null = null;
    const result: CardActionResult | SessionFailure = await withPivSession(this.#deps.connector, readerName, 'reset', async (session) => {
      serial = await cardSerial(session.client);
      return work(session);
    });
    const outcome: CardActionResult = result.ok ? { ok: true } : { ok: false, reason: result.reason, triesLeft: 'triesLeft' in result ? result.triesLeft : null };
    const holderId = holderOfCard(this.#deps.owners, serial);
    await this.#deps.audit.record({
      action,
      outcome: outcome.ok ? 'success' : 'failure',
      ...(outcome.ok ? {} : { reason: outcome.reason }),
      actor: operation.actor,
      channel: operation.channel,
      ...(serial === null ? {} : { cardSerial: serial }),
      ...(holderId === null ? {} : { holderId }),
      details: { reader: readerName, ...(outcome.ok || outcome.triesLeft === null ? {} : { triesLeft: outcome.triesLeft }) },
    });
    return outcome;
  }

  verifyPin(readerName: string, pin: Buffer, operation: OperationContext): Promise<CardActionResult> {
    return this.#pinOperation(readerName, 'card.pinVerify', operation, async ({ client }) =>
      referenceResult(await client.verifyPin(pin), 'wrongPin', 'pinBlocked'),
    ).finally(() => wipe(pin));
  }

  changePin(readerName: string, current: Buffer, next: Buffer, operation: OperationContext): Promise<CardActionResult> {
    return this.#pinOperation(readerName, 'card.pinChange', operation, async ({ client }) =>
      referenceResult(await client.changePin(current, next), 'wrongPin', 'pinBlocked'),
    ).finally(() => wipe(current, next));
  }

  changePuk(readerName: string, current: Buffer, next: Buffer, operation: OperationContext): Promise<CardActionResult> {
    return this.#pinOperation(readerName, 'card.pukChange', operation, async ({ client }) =>
      referenceResult(await client.changePuk(current, next), 'wrongPuk', 'pukBlocked'),
    ).finally(() => wipe(current, next));
  }

  unblockPin(readerName: string, puk: Buffer, newPin: Buffer, operation: OperationContext): Promise<CardActionResult> {
    return this.#pinOperation(readerName, 'card.unblockWithPuk', operation, async ({ client }) =>
      referenceResult(await client.unblockPin(puk, newPin), 'wrongPuk', 'pukBlocked'),
    ).finally(() => wipe(puk, newPin));
  }

  setRetryCounters(
    readerName: string,
    request: { pinTries: number; pukTries: number; pin: Buffer; puk: Buffer; managementKey: ManagementKeyInput },
    operation: OperationContext,
  ): Promise<CardActionResult> {
    const { pin, puk, managementKey } = request;
    const key = managementKey.kind === 'factory' ? Buffer.from(FACTORY.MANAGEMENT_KEY) : managementKey.key;
    const algorithm = managementKey.kind === 'factory' ? 'tdes' : managementKey.algorithm;
    return this.#pinOperation(readerName, 'card.retryCountersSet', operation, async ({ client }) => {
      const auth = await client.authenticateManagementKey(algorithm, key);
      if (!auth.ok) return { ok: false, reason: 'wrongManagementKey', triesLeft: null };
      const result = await setRetryCounters(client, request.pinTries, request.pukTries, { pin, puk });
      if (result.ok) return { ok: true };
      return referenceResult(result, result.which === 'puk' ? 'wrongPuk' : 'wrongPin', result.which === 'puk' ? 'pukBlocked' : 'pinBlocked');
    }).finally(() => wipe(pin, puk, key));
  }
}
