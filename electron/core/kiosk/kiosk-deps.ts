/** What the kiosk service is given: the desk's services, its settings, and how it tells the window. */
import type { HolderSummary } from '../../shared/schemas/audit';
import type { SecondFactor } from '../account/account-ports';
import type { HolderSummaryQuery } from '../audit/audit-queries';
import type { AuditTrail } from '../audit/audit-trail';
import type { CardService } from '../cards/card-service';
import type { OfflineUnblockService } from '../cards/offline-unblock';
import type { CardConnector } from '../readers/card-connection';
import type { LifecycleServices } from '../lifecycle/lifecycle-services';
import type { VaultServices } from '../vault/vault-services';
import type { KioskEndReason } from './kiosk-sessions';

export interface KioskSettings {
  readonly idleSeconds: number;
  readonly shufflePinPad: boolean;
  readonly filesAllowed: boolean;
}

export interface KioskRateLimit {
  /** Calls of the pre-sign-in channels one source may make within `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
}

export type KioskHistory = (args: HolderSummaryQuery) => Promise<HolderSummary>;
export type HistoryArgs = Omit<HolderSummaryQuery, 'holderId'>;

export interface KioskServiceDeps {
  /** How the kiosk reaches the card (the reader guard: a card kept for an offline unblock is not disturbed). */
  readonly connector: CardConnector;
  readonly cards: CardService;
  readonly offlineUnblock: OfflineUnblockService;
  readonly lifecycle: Pick<LifecycleServices, 'lifecycle' | 'activation' | 'contracts'> & { readonly deps: Pick<LifecycleServices['deps'], 'personalisations'> };
  readonly vault: Pick<VaultServices, 'keyring' | 'ca' | 'directory' | 'certificates'>;
  readonly audit: AuditTrail;
  /** The holder's authenticator app or OATH token: its code is asked before suspend and revoke. */
  readonly secondFactor: SecondFactor;
  /** The holder's own access history (the audit log's holder summary). */
  readonly history: KioskHistory;
  readonly settings: () => KioskSettings;
  /** True when another CardDesk process holds the data folder (the vault cannot be opened). */
  readonly dataFolderInUse: () => boolean;
  /** True when the system's smart-card service cannot be reached. */
  readonly readerServiceDown?: () => boolean;
  /** Tells the kiosk window its session ended (the `kiosk:sessionEnded` event). */
  readonly ended: (source: string, reason: KioskEndReason) => void;
  /** Milliseconds since the epoch (tests move it). */
  readonly now?: () => number;
  readonly rateLimit?: KioskRateLimit;
}
