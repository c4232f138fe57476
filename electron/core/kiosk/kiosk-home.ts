/** The signed-in holder's home screen, from the directory, the CA and the contract store: only their own data. */
import type { KioskHome } from '../../shared/schemas/kiosk';
import type { KioskServiceDeps } from './kiosk-deps';
import type { KioskSession } from './kiosk-sessions';

const DAY = 86_400_000;
/** A document expiring within this many days (or past) is flagged on the holder's profile. */
const DOCUMENT_WARNING_DAYS = 60;

export function kioskHome(deps: Pick<KioskServiceDeps, 'vault' | 'lifecycle' | 'secondFactor'>, session: KioskSession, nowMs: number, idleSecondsLeft: number): KioskHome {
  const { directory, certificates } = deps.vault;
  const holder = directory.get(session.holderId);
  const card = directory.card(session.serial);
  const expiry = holder.documentExpiry.trim() === '' ? null : holder.documentExpiry.trim();
  const expiryTime = expiry === null ? Number.NaN : Date.parse(`${expiry}T00:00:00Z`);
  const contract = deps.lifecycle.contracts.list({ cardSerial: session.serial, offset: 0, limit: 1 }).items[0] ?? null;
  return {
    holder: {
      firstName: holder.firstName,
      lastName: holder.lastName,
      userNumber: holder.userNumber,
      organisation: holder.organisation,
      language: holder.language,
      documentExpiry: expiry,
      documentExpiresSoon: !Number.isNaN(expiryTime) && expiryTime - nowMs <= DOCUMENT_WARNING_DAYS * DAY,
    },
    card: { serial: card.serial, state: card.state },
    certificates: certificates.forCard(session.serial).map((c) => ({ serial: c.serial, profile: c.profile, status: c.status, notBefore: c.notBefore, notAfter: c.notAfter, holdUntil: c.holdUntil })),
    contract: contract === null ? null : { id: contract.id, status: contract.status, signedAt: contract.signedAt },
    secondFactor: deps.secondFactor.enrolled(session.holderId),
    idleSecondsLeft,
  };
}
