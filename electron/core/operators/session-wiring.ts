/**
 * Composes the desk's operator session (issue 17 §2, §5) from the core's services: card sign-in
 * against the vault's CA and its records, the session told to the renderer (`session:changed`),
 * and every audit event of the signed-in operator naming their card and the OS account.
 */
import type { EventName, EventPayload } from '../../shared/contract';
import type { AuditLog } from '../audit/audit-log';
import type { AuditTrail } from '../audit/audit-trail';
import type { CardConnector } from '../readers/card-connection';
import type { ReaderHolds } from '../cards/reader-holds';
import type { Logger } from '../log/logger';
import type { DeskSettingsStore } from '../settings/desk-settings';
import type { VaultServices } from '../vault/vault-services';
import { CardSignIn } from './card-sign-in';
import type { OperatorLookup } from './operator-lookup';
import { noOperatorAccounts, OperatorSessions } from './operator-session';

export interface OperatorSessionWiring {
  readonly holds: ReaderHolds;
  readonly vault: VaultServices;
  readonly audit: AuditLog;
  readonly settings: DeskSettingsStore;
  readonly emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  readonly log: Logger;
  readonly osUser: string;
  /** The operator accounts (default: none, the first-run bootstrap). */
  readonly lookup?: OperatorLookup | undefined;
}

/** Card sign-in against the vault's CA and its records: the desk's window and `carddesk signin` both use it. */
export function cardSignInFor(parts: { vault: VaultServices; connector: CardConnector; lookup: OperatorLookup; audit: AuditTrail }): CardSignIn {
  const { vault } = parts;
  return new CardSignIn({
    connector: parts.connector,
    ca: {
      readable: () => vault.access.isOpen && vault.ca.ready,
      issuingCertificate: () => vault.ca.chain()[0] ?? Buffer.alloc(0),
      record: (serial) => {
        try {
          return vault.certificates.record(serial);
        } catch {
          return null;
        }
      },
    },
    lookup: parts.lookup,
    audit: parts.audit,
    vaultKey: {
      locked: () => vault.access.isOpen && vault.vault.status().initialised && !vault.keyring.unlocked,
      cardsRequired: () => vault.vault.recoveryRequired(),
      unlock: (client, cardSerial, operatorId, channel) => vault.cardKeys.unlockWithCard(client, cardSerial, operatorId, channel),
    },
  });
}

export function createOperatorSessions(wiring: OperatorSessionWiring): OperatorSessions {
  const { vault, audit } = wiring;
  const lookup = wiring.lookup ?? noOperatorAccounts;
  const cardSignIn = cardSignInFor({ vault, connector: wiring.holds, lookup, audit });
  const sessions = new OperatorSessions({
    lookup,
    signIn: (reader, pin, channel) => cardSignIn.signIn(reader, pin, channel),
    osUser: wiring.osUser,
    idleMinutes: () => wiring.settings.load().operatorSession.idleMinutes,
    cardRemoval: () => wiring.settings.load().operatorSession.cardRemoval,
    audit,
    log: wiring.log,
    changed: (summary) => wiring.emit('session:changed', summary),
  });
  // The bootstrap ends (or comes back) with a change to the accounts or the certificates, often
  // outside a desk call (a card activated at the kiosk): the renderer is told, so the desk shows
  // the sign-in screen without a restart.
  const unwatch = lookup.watch?.(() => sessions.refresh());
  if (unwatch !== undefined) sessions.onDispose(unwatch);
  audit.actorDetails = (actor) => {
    if (actor.kind !== 'operator') return null;
    const current = sessions.current();
    return current === null || current.cardSerial === null || current.operatorId !== actor.id ? null : { operatorCard: current.cardSerial, osUser: current.osUser };
  };
  return sessions;
}
