/**
 * Builds the notification services over one vault, for a composition root (the app's core, the
 * CLI): the outbox (the NotificationQueue other services queue into), its settings, the sender
 * and the life-cycle follower, plus the daily expiry sweep. The app runs the sender while the
 * vault is unlocked; a CLI command drains once or only reads.
 */
import type { NotifySetSettingsArgs, NotifySettingsView } from '../../shared/schemas/account-notify';
import type { CertificateSummary } from '../../shared/schemas/certificates';
import type { AuditEventInput } from '../audit/audit-trail';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import type { VaultServices } from '../vault/vault-services';
import { lifecycleFollower, sweepExpiry, type HolderContact } from './lifecycle-follower';
import { NotifySettingsStore } from './notify-settings';
import { NotificationOutbox } from './outbox';
import { NotificationSender } from './sender';
import type { Transports } from './transports';

/** How often the sender looks for due messages, and the expiry sweep whether a new day began. */
const SEND_INTERVAL_MS = 15_000;
const EXPIRY_CHECK_MS = 60 * 60_000;

export interface NotifyServices {
  /** The durable outbox: `queued(request)` into a `ChangeRecorder.commit`, then `wake()`. */
  readonly outbox: NotificationOutbox;
  readonly settings: NotifySettingsStore;
  readonly sender: NotificationSender;
  /**
   * For a life-cycle event recorded with `audit.record` rather than with a vault change (today the
   * PIN reset and the PIN unblocks): queues its holder's message in a commit of its own, right
   * after. Not in the same line as the event, so a stop in between loses that message; calling
   * `ChangeRecorder.commit` for such a change instead makes it exact. Returns whether one was queued.
   */
  queueFor(event: AuditEventInput): Promise<boolean>;
  /** Queues the expiry warnings due today (once per card and threshold); returns how many. */
  sweepExpiry(): Promise<number>;
  /** Saves the settings; the messages of a channel set anew and waiting for a later try are tried at once. */
  setSettings(change: NotifySetSettingsArgs, op: OperationContext): Promise<NotifySettingsView>;
  /** Starts the sender and the daily expiry sweep (the app). */
  start(): void;
  stop(): Promise<void>;
}

export function createNotifyServices(options: { vault: VaultServices; log: Logger; clock?: () => Date; transports?: Transports }): NotifyServices {
  const { vault, log } = options;
  if (byVault.has(vault)) throw new Error('the notification services of this vault exist already (their follower is registered once)');
  const clock = options.clock ?? (() => new Date());
  const holder = (id: string): HolderContact | null => vault.directory.index().get(id) ?? null;
  // Every message greets the holder by name, whichever service queued it.
  const nameOf = (id: string): string | null => {
    const found = holder(id);
    return found === null ? null : `${found.firstName} ${found.lastName}`;
  };
  const outbox = new NotificationOutbox({ access: vault.access, keyring: vault.keyring, audit: vault.audit, clock, nameOf });
  const settings = new NotifySettingsStore(vault.access, vault.keyring, vault.audit);
  const ready = (): boolean => vault.access.isOpen && vault.keyring.unlocked;
  const sender = new NotificationSender({ outbox, settings, audit: vault.audit, log, ready, intervalMs: SEND_INTERVAL_MS, ...(options.transports === undefined ? {} : { transports: options.transports }) });
  // Life-cycle messages ride in the commit of their change; the sender is woken once it is on disk.
  const follower = lifecycleFollower(outbox, holder, () => outbox.wake());
  vault.access.followChanges(follower);
  const queueFor = async (event: AuditEventInput): Promise<boolean> => {
    const changes = follower([], event);
    if (changes.length === 0) return false;
    await vault.access.storage().records.commit(changes);
    return true;
  };

  const expiring = (days: number): CertificateSummary[] => {
    const out: CertificateSummary[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = vault.certificates.list({ query: '', status: 'valid', expiringWithinDays: days, offset, limit: 500 });
      out.push(...page.items);
      if (offset + 500 >= page.total) return out;
    }
  };
  const sweep = async (): Promise<number> => {
    const queued = await sweepExpiry({ outbox, expiring, holder, commit: (changes) => vault.access.storage().records.commit(changes), now: clock() });
    if (queued > 0) outbox.wake();
    return queued;
  };
  let sweptOn = '';
  let timer: NodeJS.Timeout | null = null;
  const dailySweep = (): void => {
    const today = clock().toISOString().slice(0, 10);
    if (sweptOn === today || !vault.access.isOpen) return;
    sweep()
      .then(() => (sweptOn = today))
      .catch((error: unknown) => log.error('the certificate expiry warnings could not be queued', { error }));
  };
  const setSettings = async (change: NotifySetSettingsArgs, op: OperationContext): Promise<NotifySettingsView> => {
    const view = await settings.set(change, op);
    if (change.smtp !== undefined && change.smtp !== null) await outbox.dueNowAfterSettings('email', op);
    if (change.sms !== undefined && change.sms !== null) await outbox.dueNowAfterSettings('sms', op);
    return view;
  };
  const made: NotifyServices = {
    outbox,
    settings,
    sender,
    queueFor,
    setSettings,
    sweepExpiry: sweep,
    start: () => {
      sender.start();
      dailySweep();
      timer ??= setInterval(dailySweep, EXPIRY_CHECK_MS);
      timer.unref();
    },
    stop: async () => {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await sender.stop();
    },
  };
  byVault.set(vault, made);
  return made;
}

const byVault = new WeakMap<VaultServices, NotifyServices>();

/** The notification services of these vault services, made once (so the follower is registered once). */
export function notifyServicesFor(vault: VaultServices, log: Logger): NotifyServices {
  let found = byVault.get(vault);
  if (found === undefined) byVault.set(vault, (found = createNotifyServices({ vault, log })));
  return found;
}
