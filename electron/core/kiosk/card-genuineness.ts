/**
 * The kiosk's proof that the card in the reader is the one the desk issued: the card's key in the
 * certificate's slot (9E without the PIN; an older card's 9A after it) signs a fresh random
 * challenge, the signature verifies with the certificate's public key, and the CA says the
 * certificate is good (or on hold while the card awaits activation or is suspended).
 */
import type { CardRecord } from '../../shared/schemas/holders';
import { PIN_REF } from '../../smartcard/piv';
import type { PivSession } from '../cards/card-session';
import type { LifecycleServices } from '../lifecycle/lifecycle-services';
import { proveSlotKey } from '../piv/key-proof';
import type { VaultServices } from '../vault/vault-services';

export interface CardGenuinenessDeps {
  readonly certificates: VaultServices['certificates'];
  readonly personalisations: LifecycleServices['deps']['personalisations'];
}

export class CardGenuineness {
  readonly #deps: CardGenuinenessDeps;

  constructor(deps: CardGenuinenessDeps) {
    this.#deps = deps;
  }

  /** The card has a certificate that is valid or suspended (or none issued yet). */
  hasLiveCertificates(serial: string): boolean {
    const certificates = this.#deps.certificates.forCard(serial);
    return certificates.length === 0 || certificates.some((c) => c.status === 'valid' || c.status === 'suspended');
  }

  /** The DER of the certificate the desk issued for the card's `slot`, or null. */
  certificateOf(serial: string, slot: string): Buffer | null {
    const personalisation = this.#deps.personalisations.get(serial);
    // Slots as strings: cards issued before 9E existed have no '9E' entry.
    const certificateSerial = (personalisation?.certificates as Partial<Record<string, string>> | undefined)?.[slot];
    if (certificateSerial === undefined) return null;
    try {
      return Buffer.from(this.#deps.certificates.record(certificateSerial).der, 'base64');
    } catch {
      return null;
    }
  }

  /** The genuineness proof (see the top of this file) with `certificate`, on the open session. */
  async prove(session: PivSession, card: CardRecord, certificate: Buffer): Promise<boolean> {
    const slot = this.#slotOf(card.serial, certificate);
    if (slot === null) return false;
    const status = this.#deps.certificates.revocationStatus(certificate).state;
    const heldOk = card.state === 'awaitingActivation' || card.state === 'suspended';
    if (!(status === 'good' || (status === 'onHold' && heldOk))) return false;
    // A pulled card stays "card removed"; a card that will not sign is not the card the desk issued.
    return proveSlotKey(session.client, slot, certificate);
  }

  #slotOf(serial: string, certificate: Buffer): string | null {
    for (const slot of ['9E', '9A']) {
      const own = this.certificateOf(serial, slot);
      if (own?.equals(certificate) === true) return slot;
    }
    return null;
  }
}

/** The PIN tries left on the card (null: the card does not say). */
export async function pinTriesOf(session: PivSession): Promise<number | null> {
  const metadata = await session.client.referenceMetadata(PIN_REF.PIV_PIN);
  if (metadata !== null) return metadata.triesLeft;
  const status = await session.client.pinStatus();
  return status.triesLeft === -1 ? null : status.triesLeft;
}
