/**
 * The holder's side of the offline unblock: the blocked card gives a management-key challenge,
 * CardDesk shows it as a code and keeps the card to itself (the card forgets the challenge at its
 * next command); the desk answers with a response code; the card checks it and, if right, takes a
 * new PIN. A challenge is answered at most once and is dropped after ten minutes. The desk's side
 * (computing the response from the vault's copy of the card's key) is `unblock-desk.ts`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { OfflineUnblockResult } from '../../shared/schemas/cards';
import { PIN_REF, type SymmetricAlgorithm } from '../../smartcard/piv';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { ApduTransport } from '../piv/apdu-transport';
import { PivClient, PivStatusError } from '../piv/piv-client';
import type { CardConnection } from '../readers/card-connection';
import { issuedStates, type CardOwners } from './card-owners';
import { cardSerial } from './card-service';
import { sessionFailureOf, type SessionFailure } from './card-session';
import { OFFLINE_UNBLOCK, type ReaderHolds } from './reader-holds';
import { challengeCode, parseResponseCode, type UnblockChallenge } from './unblock-codes';

/** How long a challenge waits for its response. */
export const CHALLENGE_LIFETIME_MS = 10 * 60 * 1000;

export type OfflineChallenge =
  | { ok: true; attempt: string; serial: string; challengeCode: string; expiresAt: string }
  | SessionFailure
  | { ok: false; reason: 'noSerial' }
  /** The desk did not issue this card, or it is blank, revoked, retired or lost: nothing to unblock. */
  | { ok: false; reason: 'notIssued' }
  /** Neither the PIN nor the PUK is blocked: the holder unblocks nothing (and changes the PIN instead). */
  | { ok: false; reason: 'notBlocked' };



interface Attempt {
  readonly id: string;
  readonly holderId: string | null;
  readonly connection: CardConnection;
  readonly client: PivClient;
  readonly serial: string;
  readonly challenge: UnblockChallenge;
  readonly challengeId: string;
  readonly expiresAt: number;
  readonly operation: OperationContext;
  readonly timer: NodeJS.Timeout;
  busy: boolean;
}

/** A short, non-secret name for a challenge, recorded on both sides so the two events can be matched. */
export function challengeIdOf(challenge: Uint8Array): string {
  return createHash('sha256').update(challenge).digest('hex').slice(0, 12);
}

const PROBE_ORDER: readonly SymmetricAlgorithm[] = ['aes256', 'aes192', 'aes128', 'tdes'];

/** The management key's algorithm: from its metadata, or by asking for a challenge in each until the card accepts one. */
async function challengeOf(client: PivClient): Promise<UnblockChallenge> {
  const known = (await client.managementKeyMetadata())?.algorithm ?? null;
  for (const algorithm of known === null ? PROBE_ORDER : [known]) {
    try {
      return { algorithm, challenge: await client.managementKeyChallenge(algorithm) };
    } catch (error) {
      if (!(error instanceof PivStatusError) || known !== null) throw error;
    }
  }
  throw new CardDeskError('CARD_UNSUPPORTED', 'The card gives no management-key challenge.');
}

export interface OfflineUnblockDeps {
  readonly holds: ReaderHolds;
  readonly audit: AuditTrail;
  /** Whose card it is and its state: only an issued card in use is unblocked, and its holder's history records it. */
  readonly owners: CardOwners;
  readonly lifetimeMs?: number;
}

/** Why this card may not be unblocked offline, or null when it may. */
async function refusal(client: PivClient, serial: string, owners: CardOwners): Promise<'notIssued' | 'notBlocked' | null> {
  const found = owners.lookup(serial);
  if (found.known ? !issuedStates.includes(found.owner.state) : found.why === 'unknown') return 'notIssued';
  // No directory on this machine (a holder's own computer): a card still on its factory key was never issued.
  if (!found.known && (await client.managementKeyMetadata())?.isDefault === true) return 'notIssued';
  const pin = (await client.referenceMetadata(PIN_REF.PIV_PIN))?.triesLeft ?? (await client.pinStatus()).triesLeft;
  const puk = (await client.referenceMetadata(PIN_REF.PUK))?.triesLeft ?? null;
  return pin === 0 || puk === 0 ? null : 'notBlocked';
}

export class OfflineUnblockService {
  readonly #deps: OfflineUnblockDeps;
  readonly #attempts = new Map<string, Attempt>();

  constructor(deps: OfflineUnblockDeps) {
    this.#deps = deps;
  }

  /** Reads a challenge from the card in `readerName` and keeps the card until the response comes or the challenge expires. */
  async begin(readerName: string, operation: OperationContext): Promise<OfflineChallenge> {
    let connection: CardConnection;
    try {
      connection = await this.#deps.holds.hold(readerName, OFFLINE_UNBLOCK);
    } catch (error) {
      const failure = sessionFailureOf(error);
      if (failure !== null) return failure;
      throw error;
    }
    let kept = false;
    try {
      const client = new PivClient(ApduTransport.forCard(connection));
      if ((await client.select()) === null) return { ok: false, reason: 'notPiv', atr: Buffer.from(connection.atr).toString('hex').toUpperCase() };
      const serial = await cardSerial(client);
      if (serial === null) return { ok: false, reason: 'noSerial' };
      const refused = await refusal(client, serial, this.#deps.owners);
      if (refused !== null) {
        const owner = this.#deps.owners.lookup(serial);
        await this.#deps.audit.record({
          action: 'card.unblockChallenge',
          outcome: 'failure',
          reason: refused,
          actor: operation.actor,
          channel: operation.channel,
          cardSerial: serial,
          ...(owner.known && owner.owner.holderId !== null ? { holderId: owner.owner.holderId } : {}),
          details: { reader: readerName },
        });
        return { ok: false, reason: refused };
      }
      const challenge = await challengeOf(client);
      const lifetime = this.#deps.lifetimeMs ?? CHALLENGE_LIFETIME_MS;
      const id = randomUUID();
      const owner = this.#deps.owners.lookup(serial);
      const attempt: Attempt = {
        id,
        holderId: owner.known ? owner.owner.holderId : null,
        connection,
        client,
        serial,
        challenge,
        challengeId: challengeIdOf(challenge.challenge),
        expiresAt: Date.now() + lifetime,
        operation,
        timer: setTimeout(() => void this.#end(id, 'expired'), lifetime).unref(),
        busy: false,
      };
      this.#attempts.set(id, attempt);
      kept = true;
      await this.#record(attempt, 'card.unblockChallenge', 'success');
      return { ok: true, attempt: id, serial, challengeCode: challengeCode(serial, challenge), expiresAt: new Date(attempt.expiresAt).toISOString() };
    } catch (error) {
      const failure = sessionFailureOf(error);
      if (failure !== null) return failure;
      throw error;
    } finally {
      if (!kept) await connection.close('reset').catch(() => undefined);
    }
  }

  /** Gives the card the desk's response and, if the card accepts it, the new PIN. `newPin` is wiped. */
  async complete(attemptId: string, response: string, newPin: Buffer): Promise<OfflineUnblockResult> {
    try {
      const attempt = this.#attempts.get(attemptId);
      if (attempt === undefined || attempt.busy) return { ok: false, reason: 'noChallenge' };
      if (Date.now() >= attempt.expiresAt) {
        await this.#end(attemptId, 'expired');
        return { ok: false, reason: 'noChallenge' };
      }
      const parsed = parseResponseCode(attempt.challenge, response);
      if (!parsed.ok) return { ok: false, reason: 'responseMistyped' };
      attempt.busy = true;
      try {
        const answer = await attempt.client.answerManagementKeyChallenge(attempt.challenge.algorithm, parsed.value);
        if (!answer.ok) {
          await this.#end(attemptId, 'responseWrong');
          return { ok: false, reason: 'responseWrong' };
        }
        await attempt.client.resetPinWithManagementKey(newPin);
      } catch (error) {
        const failure = sessionFailureOf(error);
        await this.#end(attemptId, failure === null ? 'cardFailed' : 'cardRemoved');
        if (failure !== null) return { ok: false, reason: 'cardRemoved' };
        throw error;
      }
      await this.#end(attemptId, null);
      return { ok: true };
    } finally {
      newPin.fill(0);
    }
  }

  /** Lets the card go without an answer. */
  async cancel(attemptId: string): Promise<void> {
    await this.#end(attemptId, 'cancelled');
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#attempts.keys()].map((id) => this.#end(id, 'deskClosed')));
  }

  /** Releases the card and records how the attempt ended (`null`: the PIN was reset); the reason is a code the screens word. */
  async #end(attemptId: string, failure: 'expired' | 'responseWrong' | 'cardFailed' | 'cardRemoved' | 'cancelled' | 'deskClosed' | null): Promise<void> {
    const attempt = this.#attempts.get(attemptId);
    if (attempt === undefined) return;
    this.#attempts.delete(attemptId);
    clearTimeout(attempt.timer);
    await attempt.connection.close('reset').catch(() => undefined);
    await this.#record(attempt, 'card.unblockOffline', failure === null ? 'success' : 'failure', failure ?? undefined);
  }

  #record(attempt: Attempt, action: 'card.unblockChallenge' | 'card.unblockOffline', outcome: 'success' | 'failure', reason?: string): Promise<void> {
    return this.#deps.audit.record({
      action,
      outcome,
      ...(reason === undefined ? {} : { reason }),
      actor: attempt.operation.actor,
      channel: attempt.operation.channel,
      cardSerial: attempt.serial,
      ...(attempt.holderId === null ? {} : { holderId: attempt.holderId }),
      details: { reader: attempt.connection.readerName, challengeId: attempt.challengeId },
    });
  }
}
