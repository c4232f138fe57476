/**
 * The composition root shared by the Electron main process and the browser-mode host: it builds
 * the services (plain Node, no Electron) and maps every contract channel to one of them.
 */
import { CardDeskError } from '../shared/errors';
import { userInfo } from 'node:os';
import type { ContractHandlers } from './api/handlers';
import { verifiedAddress } from './account/recovery-codes';
import { operationOf } from './api/context';
import { EventHub } from './api/event-hub';
import { auditHandlers } from './audit/audit-handlers';
import type { AuditLog } from './audit/audit-log';
import type { AuditTrail } from './audit/audit-trail';
import { createDeskAuditLog } from './audit/desk-audit-log';
import { recordFailedWrites } from './audit/write-audit';
import { requirePermissions } from './operators/permission-check';
import type { OperatorLookup } from './operators/operator-lookup';
import type { OperatorSessions } from './operators/operator-session';
import { createOperatorSessions } from './operators/session-wiring';
import { createDeskDualControl } from './operators/desk-dual-control';
import { channels } from '../shared/contract';
import { contractHandlers } from './api/contract-handlers';
import { letterHandlers } from './api/letter-handlers';
import { lifecycleHandlers } from './api/lifecycle-handlers';
import { holderSummary } from './audit/audit-queries';
import { kioskHandlers, kioskMobileHandlers, stolenCardHandlers } from './kiosk/kiosk-handlers';
import { KioskMobile } from './kiosk/kiosk-mobile';
import { StolenCardService } from './kiosk/stolen-card';
import { KioskRecovery } from './kiosk/kiosk-recovery';
import { recoveryHandlers } from './api/recovery-handlers';
import { VaultOneTimeCodes } from './account/one-time-codes';
import { ChangeRecorder } from './vault/change-events';
import { KioskService } from './kiosk/kiosk-service';
import { sourceOf } from './kiosk/kiosk-sessions';
import { vaultHandlers } from './api/vault-handlers';
import { secondFactorHandlers } from './api/second-factor-handlers';
import { mobileHandlers } from './api/mobile-handlers';
import { operatorHandlers } from './api/operator-handlers';
import { SecondFactorService } from './account/second-factor';
import { directoryCardOwners } from './cards/card-owners';
import { CardService } from './cards/card-service';
import { OfflineUnblockService } from './cards/offline-unblock';
import { ReaderHolds } from './cards/reader-holds';
import type { Logger } from './log/logger';
import type { Pkcs11WorkerSpawner } from './pkcs11/worker-spawner';
import { CaPublicationSite } from './ca/publication-site';
import { findCupsPrinter } from './letters/cups-printer';
import { LetterService, type LetterPrinter } from './letters/letter-service';
import { WelcomeProgressService } from './settings/welcome-progress';
import { DeskSettingsStore } from './settings/desk-settings';
import { KioskSettingsService } from './settings/kiosk-settings';
import { OperatorSessionSettingsService } from './settings/operator-session-settings';
import { NetworkListenerService } from './settings/network-listener';
import { createEstSite, createMobileIdService, listenerTlsCredentials } from './mobile/mobile-wiring';
import type { MobileIdService } from './mobile/mobile-id-service';
import { TokenService } from './tokens/token-service';
import { loadPcscLite, type PcscOpener } from './readers/pcsc-binding';
import type { ReconnectPolicy } from './readers/pcsc-reader-service';
import { ReaderRegistry } from './readers/reader-registry';
import { EmbeddedVirtualReader } from './readers/virtual-reader';
import { createLifecycleServices, type LifecycleServices } from './lifecycle/lifecycle-services';
import { appName, appVersion } from './version';
import { accountContactHandlers } from './api/account-contact-handlers';
import { createAccountContactServices } from './account/account-contact-services';
import { createVaultServices, type VaultServices } from './vault/vault-services';
import { emitTeamLiveEvents, teamDatabaseState } from './store/pg/team-live-events';
import { notifyHandlers } from './api/notify-handlers';
import { createNotifyServices, type NotifyServices } from './notify/notify-services';

/** How often suspensions whose time is up are released or revoked. */
const HOLD_SWEEP_MS = 60_000;

export interface CoreOptions {
  readonly mode: 'electron' | 'browser';
  readonly dataDir: string;
  readonly log: Logger;
  /** Replaced in unit tests; real runs load pcsclite. */
  readonly loadPcsc?: () => Promise<PcscOpener>;
  readonly reconnect?: ReconnectPolicy;
  /** Offer the embedded virtual reader when no PC/SC reader exists (default: yes). */
  readonly virtualReader?: boolean;
  /** The tamper-evident log every service records into (default: the one in `dataDir`). */
  readonly audit?: AuditLog;
  /** How often to look for events other processes (the CLI) appended, for live screens. */
  readonly auditWatchMs?: number;
  /** Starts the PKCS#11 worker threads (the bundle in the app, the TypeScript source in tests). */
  readonly pkcs11Worker: Pkcs11WorkerSpawner;
  /** The PKCS#11 modules found on this OS; replaced in tests. */
  readonly defaultPkcs11Modules?: TokenServiceDefaults;
  /** Prints PIN letters without a dialog (default: the machine's CUPS when lp and lpstat are found; null: no printing). */
  readonly letterPrinter?: LetterPrinter | null;
  /** The operator accounts sign-in and the session read (issue 17; default: the vault's operator directory). */
  readonly operatorLookup?: OperatorLookup;
}

type TokenServiceDefaults = ConstructorParameters<typeof TokenService>[0]['defaults'];

export interface Core {
  readonly handlers: ContractHandlers;
  readonly events: EventHub;
  readonly readers: ReaderRegistry;
  readonly cards: CardService;
  readonly tokens: TokenService;
  readonly listener: NetworkListenerService;
  readonly mobile: MobileIdService;
  readonly vault: VaultServices;
  readonly lifecycle: LifecycleServices;
  readonly letters: LetterService;
  readonly audit: AuditLog;
  readonly operatorSessions: OperatorSessions;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Every call waits for `read` (settings.json, read once when the core is composed): the settings
 * are answered from memory, and a call can arrive while the file is still being read.
 */
function afterRead(read: Promise<unknown>, handlers: ContractHandlers): ContractHandlers {
  const wrapped: Record<string, unknown> = {};
  for (const [channel, handler] of Object.entries(handlers) as [string, (args: unknown, context: unknown) => unknown][]) {
    wrapped[channel] = async (args: unknown, context: unknown) => {
      await read;
      return handler(args, context);
    };
  }
  return wrapped as ContractHandlers;
}

export function createCore(options: CoreOptions): Core {
  const events = new EventHub();
  const audit = options.audit ?? createDeskAuditLog(options.dataDir, { log: options.log });
  const stopAppended = audit.subscribe((appended) => events.emit('audit:appended', appended));
  const operatorId = userInfo().username;
  const readers = new ReaderRegistry({
    loadOpener: options.loadPcsc ?? loadPcscLite,
    emit: events.emit,
    log: options.log,
    virtualReader: options.virtualReader === false ? null : new EmbeddedVirtualReader(options.dataDir),
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
  });
  const holds = new ReaderHolds(readers);
  // settings.json is read once, from now on (before any call can arrive): calls wait for it, see below.
  const deskSettings = new DeskSettingsStore(options.dataDir);
  const settingsRead = deskSettings.open();
  const welcome = new WelcomeProgressService({ settings: deskSettings, audit });
  const kioskSettings = new KioskSettingsService({ settings: deskSettings, audit });
  const operatorSessionSettings = new OperatorSessionSettingsService({ settings: deskSettings, audit });
  const tokens = new TokenService({
    settings: deskSettings,
    vaultUnlocked: () => vault.keyring.unlocked,
    spawnWorker: options.pkcs11Worker,
    log: options.log,
    audit,
    ...(options.defaultPkcs11Modules === undefined ? {} : { defaults: options.defaultPkcs11Modules }),
  });

  const vault: VaultServices = createVaultServices({
    dataDir: options.dataDir,
    audit,
    log: options.log,
    // The audit key is in the vault: the log signs while it is unlocked.
    auditSigning: audit,
    settings: deskSettings,
    // The CA's token keys go through the same PKCS#11 workers as the tokens screen.
    pkcs11Worker: options.pkcs11Worker,
    onVaultChange: () => {
      try {
        const status = vault.vault.status();
        events.emit('vault:stateChanged', { unlocked: status.unlocked, initialised: status.initialised });
      } catch {
        // The vault is not open (held by another process): nothing to report.
      }
    },
  });
  // Team mode: other stations' changes and the database's state reach the screens (issue 18 §4, §5).
  const stopTeamLive = emitTeamLiveEvents(vault.access, events.emit);
  // One mobile ID service for the desk's screens and the phones' EST requests.
  const mobile = createMobileIdService(vault, deskSettings, options.log);
  const listener = new NetworkListenerService({
    settings: deskSettings,
    vaultUnlocked: () => vault.keyring.unlocked,
    audit,
    log: options.log,
    // EST for mobile IDs on the HTTPS port (issue 16): served once the vault is unlocked (the server certificate's key is sealed in it).
    sites: [new CaPublicationSite(vault.ca, vault.ocsp), createEstSite(vault, mobile, options.log)],
    tlsCredentials: listenerTlsCredentials(vault),
  });
  // Card events go into the holder's history; only an issued card is unblocked offline.
  // Holder notifications (issue 15 §6): the durable outbox (other services' NotificationQueue), its
  // sender (runs while the vault is unlocked, woken by queued messages and a timer), life-cycle
  // messages queued in their change's commit, and the daily expiry sweep.
  const notify: NotifyServices = createNotifyServices({ vault, log: options.log });
  // A PIN unblocked or reset on the card changes nothing in the vault, so its message cannot ride in
  // a commit: it is queued right after its event (events of vault changes carry their change id and
  // are queued in their commit by the outbox's follower, never here).
  const cardOnly: ReadonlySet<string> = new Set(['card.pinReset', 'card.unblockWithPuk', 'card.unblockOffline']);
  const cardAudit: AuditTrail = {
    record: async (event) => {
      await audit.record(event);
      if (event.outcome !== 'success' || event.changeId !== undefined || !cardOnly.has(event.action)) return;
      await notify.queueFor(event).catch((error: unknown) => options.log.error('a holder message could not be queued', { error, action: event.action }));
    },
    changeEventsIn: (ids, sinceMs) => audit.changeEventsIn(ids, sinceMs),
  };
  const owners = directoryCardOwners(vault.directory, options.log);
  const cards = new CardService({ connector: holds, audit: cardAudit, owners });
  const offlineUnblock = new OfflineUnblockService({ holds, audit: cardAudit, owners });
  const lifecycle = createLifecycleServices({ dataDir: options.dataDir, vault, holds, audit: cardAudit, emit: (progress) => events.emit('cards:progress', progress), notifications: notify.outbox });
  const letters = new LetterService({ outbox: lifecycle.deps.outbox, audit, settings: deskSettings, printer: options.letterPrinter === undefined ? findCupsPrinter({ log: options.log }) : options.letterPrinter });
  // The holder's second factor (issue 15 §4, §5): authenticator apps (TOTP) and OATH tokens from PSKC
  // files; the kiosk asks for its code where the holder has one (suspend, revoke,
  // contact changes, the recovery code).
  const secondFactor = new SecondFactorService({ access: vault.access, keyring: vault.keyring, audit: vault.audit, directory: vault.directory });
  // The holder's kiosk: sessions bound to a reader, a card and its holder, ended when the card leaves.
  const kiosk = new KioskService({
    connector: holds,
    cards,
    offlineUnblock,
    lifecycle,
    vault,
    audit,
    secondFactor,
    history: async (args) => {
      const { index, reader } = await audit.index();
      return holderSummary(index, reader, args);
    },
    settings: () => deskSettings.load().kiosk,
    dataFolderInUse: () => vaultInUse(),
    // Out of service only when no reader at all can be used (the embedded virtual reader counts).
    readerServiceDown: () => {
      const list = readers.list();
      return list.service.status === 'unavailable' && list.readers.length === 0;
    },
    // Named with its window's call source: only that kiosk window is told (the transports route it).
    ended: (source, reason) => events.emit('kiosk:sessionEnded', { reason, source }),
  });
  // One-time codes (issue 15 §3): six digits, hashed, sent through the outbox in the code's own commit.
  const recoveryRecorder = new ChangeRecorder(vault.access, audit);
  const oneTimeCodes = new VaultOneTimeCodes({ access: vault.access, recorder: recoveryRecorder, queue: notify.outbox });
  // "My card was stolen" at the kiosk without the card: a code to the holder, then their cards on hold.
  const stolenCard = new StolenCardService({
    holderByPersonalNumber: (typed) => {
      if (!vault.access.isOpen) return null;
      const index = vault.directory.index();
      const id = index.idByPersonalNumber(typed);
      return id === undefined ? null : (index.get(id) ?? null);
    },
    cardsOf: (holderId) => vault.directory.cardsOf(holderId),
    codeAddress: verifiedAddress,
    codes: oneTimeCodes,
    secondFactor,
    suspend: (serial, days, op) => lifecycle.lifecycle.suspend(serial, days, 'release', op),
    keysAvailable: () => vault.keyring.unlocked && vault.ca.ready,
    audit,
  });
  // The holder account's contact data, lost info (a new recovery code among its answers) and identity document (issue 15).
  const accountContact = createAccountContactServices({
    vault,
    audit,
    lifecycle,
    queue: notify.outbox,
    codes: oneTimeCodes,
    secondFactor,
    recoveryCodes: { issue: async (holderId, context) => void (await lifecycle.recoveryCodes.issueRecoveryCode(holderId, context, 'lostInfo')) },
  });
  // The recovery-code unblock at the kiosk (issue 15 §1): the code, a one-time code, the second factor, a new PIN.
  const kioskRecovery = new KioskRecovery({
    kiosk,
    recovery: lifecycle.recoveryCodes,
    codes: oneTimeCodes,
    secondFactor,
    directory: vault.directory,
    personalisations: lifecycle.deps.personalisations,
    cards,
    audit,
    recorder: recoveryRecorder,
    queue: notify.outbox,
    pinLength: () => lifecycle.deps.policy().pinLength,
  });
  // The holder's mobile IDs at the kiosk (issue 16): the same mobile ID service as the desk's, for the session's holder only.
  const kioskMobile = new KioskMobile({
    kiosk,
    mobile,
    certificates: vault.certificates,
    directory: vault.directory,
    secondFactor,
    cards,
    audit,
    caReady: () => vault.ca.ready,
  });
  const stopKioskWatch = events.subscribe((name, payload) => {
    if (name !== 'readers:cardRemoved' && name !== 'readers:readerRemoved') return;
    kiosk.cardRemoved((payload as { name: string }).name).catch((error: unknown) => options.log.error('a kiosk session could not be ended', { error }));
  });
  const system = { actor: { kind: 'system', id: 'hold-expiry' }, channel: 'desk' } as const;
  const sweepHolds = (): void => {
    if (!vault.access.isOpen || !vault.ca.ready) return;
    vault.certificates
      .applyExpiredHolds(system)
      .then(() => lifecycle.lifecycle.followHolds(system))
      .catch((error: unknown) => options.log.error('suspension expiry failed', { error }));
  };
  let sweeper: NodeJS.Timeout | null = null;
  /** Another CardDesk holds this data folder (found when the vault lock was taken at start). */
  let heldElsewhere = false;
  function vaultInUse(): boolean {
    return heldElsewhere && !vault.access.isOpen;
  }

  const virtualCard = async (action: 'reader.virtualCardInsert' | 'reader.virtualCardRemove', context: Parameters<typeof operationOf>[0]) => {
    if (action === 'reader.virtualCardInsert') readers.insertVirtualCard();
    else readers.removeVirtualCard();
    const operation = operationOf(context, operatorId);
    await audit.record({ action, outcome: 'success', actor: operation.actor, channel: operation.channel });
    return null;
  };

  // The desk's operator session (issue 17 §2): the OS account with every role while no operator
  // account exists, then the operator signed in with their operator card.
  const operatorSessions = createOperatorSessions({ holds, vault, audit, settings: deskSettings, emit: events.emit, log: options.log, osUser: operatorId, lookup: options.operatorLookup ?? vault.operators });
  const stopSessionWatch = events.subscribe((name, payload) => {
    if (name === 'readers:cardRemoved' || name === 'readers:readerRemoved') operatorSessions.cardRemoved((payload as { name: string }).name);
  });
  // Two-person control (issue 17 §4): the dangerous channels wait for a second operator's card and PIN.
  const dualControl = createDeskDualControl({ vault, audit, connector: holds, lookup: options.operatorLookup ?? vault.operators, osUser: operatorId });
  const handlers: ContractHandlers = afterRead(settingsRead, requirePermissions(dualControl.wrap(recordFailedWrites({
    'app:info': (_args, context) => ({
      name: appName,
      version: appVersion,
      dataDir: options.dataDir,
      mode: options.mode,
      surface: context.surface,
      platform: process.platform,
    }),
    'readers:list': () => readers.list(),
    'readers:insertVirtualCard': (_args, context) => virtualCard('reader.virtualCardInsert', context),
    'readers:removeVirtualCard': (_args, context) => virtualCard('reader.virtualCardRemove', context),
    'cards:inspect': ({ reader }) => cards.inspect(reader),
    'cards:verifyPin': ({ reader, pin }, context) => cards.verifyPin(reader, Buffer.from(pin), operationOf(context, operatorId)),
    'cards:changePin': ({ reader, currentPin, newPin }, context) =>
      cards.changePin(reader, Buffer.from(currentPin), Buffer.from(newPin), operationOf(context, operatorId)),
    'cards:changePuk': ({ reader, currentPuk, newPuk }, context) =>
      cards.changePuk(reader, Buffer.from(currentPuk), Buffer.from(newPuk), operationOf(context, operatorId)),
    'cards:unblockPin': ({ reader, puk, newPin }, context) =>
      cards.unblockPin(reader, Buffer.from(puk), Buffer.from(newPin), operationOf(context, operatorId)),
    'cards:offlineUnblockBegin': ({ reader }, context) => offlineUnblock.begin(reader, operationOf(context, operatorId)),
    'cards:offlineUnblockComplete': ({ attempt, response, newPin }) => offlineUnblock.complete(attempt, response, Buffer.from(newPin)),
    'cards:offlineUnblockCancel': async ({ attempt }) => {
      await offlineUnblock.cancel(attempt);
      return null;
    },
    'cards:setRetryCounters': ({ reader, pinTries, pukTries, pin, puk, managementKey }, context) =>
      cards.setRetryCounters(
        reader,
        {
          pinTries,
          pukTries,
          pin: Buffer.from(pin),
          puk: Buffer.from(puk),
          managementKey:
            managementKey.kind === 'factory' ? managementKey : { kind: 'custom', algorithm: managementKey.algorithm, key: Buffer.from(managementKey.hex, 'hex') },
        },
        operationOf(context, operatorId),
      ),
    'tokens:modules': () => tokens.modules(),
    'tokens:addModule': ({ name, path }, context) => tokens.addModule(name, path, operationOf(context, operatorId)),
    'tokens:removeModule': async ({ id }, context) => {
      await tokens.removeModule(id, operationOf(context, operatorId));
      return null;
    },
    'tokens:libraryFolders': () => tokens.libraryFolders(),
    'tokens:addLibraryFolder': ({ path }, context) => tokens.addLibraryFolder(path, operationOf(context, operatorId)),
    'tokens:removeLibraryFolder': ({ path }, context) => tokens.removeLibraryFolder(path, operationOf(context, operatorId)),
    'tokens:list': () => tokens.tokens(),
    'settings:networkListener': () => listener.status(),
    'settings:setNetworkListener': (args, context) => listener.update(args, operationOf(context, operatorId)),
    'settings:kiosk': () => kioskSettings.get(),
    'settings:setKiosk': (args, context) => kioskSettings.set(args, operationOf(context, operatorId)),
    'settings:operatorSession': () => operatorSessionSettings.get(),
    'settings:setOperatorSession': (args, context) => operatorSessionSettings.set(args, operationOf(context, operatorId)),
    'settings:welcome': () => welcome.get(),
    'settings:rememberWelcome': (progress, context) => welcome.remember(progress, operationOf(context, operatorId)),
    'tokens:objects': ({ moduleId, slotId }) => tokens.objects(moduleId, slotId),
    'tokens:login': ({ moduleId, slotId, pin }, context) => tokens.login(moduleId, slotId, Buffer.from(pin), operationOf(context, operatorId)),
    ...vaultHandlers(vault, operatorId),
    ...lifecycleHandlers(lifecycle, operatorId),
    ...letterHandlers(letters, operatorId),
    ...contractHandlers(lifecycle.contracts, operatorId),
    ...auditHandlers({ audit, operatorId, kioskHolder: (context) => kiosk.sessions.signedInHolder(sourceOf(context)), operators: () => vault.operators.list() }),
    ...kioskHandlers(kiosk),
    ...stolenCardHandlers(stolenCard),
    ...kioskMobileHandlers(kioskMobile, kiosk),
    ...secondFactorHandlers(secondFactor, kiosk, operatorId),
    ...mobileHandlers(mobile, operatorId),
    ...operatorHandlers(vault.operators, operatorId),
    ...accountContactHandlers({ ...accountContact, kiosk, kioskFilesAllowed: () => deskSettings.load().kiosk.filesAllowed }, operatorId),
    ...notifyHandlers(notify, operatorId),
    ...recoveryHandlers(lifecycle.recoveryCodes, kioskRecovery, operatorId),
    'session:current': () => operatorSessions.summary(),
    'database:state': () => teamDatabaseState(vault.access),
    'session:signIn': ({ reader, pin }) => operatorSessions.signIn(reader, Buffer.from(pin), 'desk'),
    'session:signOut': () => operatorSessions.signOut(),
    ...dualControl.handlers,
  }, audit, operatorId, options.log)), (channel) => operatorSessions.current(channels[channel].permission !== 'open'), audit, options.log));

  return {
    handlers,
    events,
    readers,
    cards,
    tokens,
    listener,
    mobile,
    vault,
    lifecycle,
    letters,
    audit,
    operatorSessions,
    start: async () => {
      await settingsRead;
      // Opened first: a log that cannot be written stops the app before anything changes.
      await audit.open();
      audit.watch(options.auditWatchMs ?? 1000);
      // Indexes load (or are rebuilt) in the background, ready for the first Access history query.
      audit.index().catch((error: unknown) => options.log.error('the audit index could not be loaded', { error }));
      try {
        // Take the vault lock at start, so a second CardDesk learns at once who holds it (team mode: connect to the database).
        await vault.access.prepare();
        await vault.syncAudit();
        sweepHolds();
      } catch (error) {
        // Another CardDesk holding this data folder is an expected state, told on the page in words: one line, no stack.
        if (error instanceof CardDeskError && error.code === 'VAULT_IN_USE') {
          heldElsewhere = true;
          options.log.warn(error.message);
        }
        else options.log.warn('the vault is not available yet', { error });
      }
      await listener.apply();
      sweeper = setInterval(sweepHolds, HOLD_SWEEP_MS);
      sweeper.unref();
      await readers.start();
      kiosk.start();
      notify.start();
      // Stored contracts re-checked in the background: the list shows a damaged file or an invalid signature before anyone opens it.
      if (vault.access.isOpen) {
        lifecycle.contracts
          .checkAll()
          .then((found) => {
            if (found.damaged.length > 0 || found.signatureInvalid.length > 0) options.log.warn('stored contracts failed their check', { damaged: found.damaged, signatureInvalid: found.signatureInvalid });
          })
          .catch((error: unknown) => options.log.error('the stored contracts could not be checked', { error }));
      }
    },
    dispose: async () => {
      if (sweeper !== null) clearInterval(sweeper);
      kiosk.dispose();
      await notify.stop();
      stopKioskWatch();
      stopSessionWatch();
      operatorSessions.close();
      await listener.close();
      await offlineUnblock.dispose();
      readers.dispose();
      await tokens.dispose();
      await vault.close();
      stopAppended();
      stopTeamLive();
      await audit.close();
    },
  };
}

