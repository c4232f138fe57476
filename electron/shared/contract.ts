/**
 * The one IPC contract between the renderer and the services. Every channel is named
 * `feature:verb` and has a schema for its arguments and its result; every push event is
 * named `feature:event` and has a schema for its payload. Electron IPC (electron/main),
 * the browser-mode WebSocket (electron/host), the preload and the browser bridge all
 * derive from this file and nothing else.
 */
import { z } from 'zod';
import {
  AccountRecoveryArgs,
  KioskRecoveryArgs,
  KioskRecoveryBeginResultSchema,
  KioskRecoveryCompleteResultSchema,
  RecoveryCodeStatusSchema,
  RecoveryIssueResultSchema,
} from './schemas/account-recovery';
import { AppInfoSchema, WelcomeProgressSchema, type Surface } from './schemas/app';
import { CardActionResultSchema, CardArgs, CardInspectResultSchema, OfflineChallengeResultSchema, OfflineUnblockResultSchema } from './schemas/cards';
import {
  AuditAppendedSchema,
  AuditExportSchema,
  AuditFilterSchema,
  AuditPageSchema,
  AuditQueryArgsSchema,
  AuditOperatorSchema,
  AuditVerifyReportSchema,
  HolderSummaryArgsSchema,
  HolderSummarySchema,
} from './schemas/audit';
import { Pkcs11Args, Pkcs11LibraryFoldersSchema, Pkcs11LoginResultSchema, Pkcs11ModuleStatusSchema, Pkcs11ObjectsSchema, Pkcs11TokenInfoSchema } from './schemas/pkcs11';
import { CaImportArgsSchema, CaInitArgsSchema, CaSetPublicBaseUrlArgsSchema, CaStatusSchema, CrlPublishResultSchema } from './schemas/ca';
import { ContractArgs, ContractListSchema, ContractSummarySchema, ContractTemplateSchema, PdfVerifyReportSchema, SetTemplateResultSchema } from './schemas/contracts';
import { StolenCardArgs, StolenCardBeginSchema, StolenCardResultSchema } from './schemas/kiosk-stolen';
import { KioskMobileArgs, KioskMobileIdSchema, KioskMobileIssuedSchema, KioskMobileResultSchema } from './schemas/kiosk-mobile';
import { NetworkListenerSettingsSchema, NetworkListenerStatusSchema } from './schemas/network-listener';
import { KioskActionResultSchema, KioskArgs, KioskBeginResultSchema, KioskHomeSchema, KioskSessionEndedSchema, KioskSettingsSchema, KioskSignInResultSchema, KioskStatusSchema } from './schemas/kiosk';
import {
  AfterHoldSchema,
  CertificateActionResultSchema,
  CertificateDetailSchema,
  CertificateFormatSchema,
  CertificateIssueArgsSchema,
  CertificateListArgsSchema,
  CertificateListSchema,
  CertificateSummarySchema,
  DownloadSchema,
  RevocationReasonSchema,
} from './schemas/certificates';
import {
  CardRecordSchema,
  CsvImportResultSchema,
  HolderInputSchema,
  HolderSaveResultSchema,
  HolderSchema,
  HolderSearchArgsSchema,
  HolderSearchResultSchema,
} from './schemas/holders';
import {
  ExpiringCertificateSchema,
  IssuancePolicySchema,
  IssueResultSchema,
  LifecycleArgs,
  LifecycleResultSchema,
  CardStatusSchema,
  UnblockResponseResultSchema,
  WorkflowProgressSchema,
} from './schemas/lifecycle';
import { LetterFileNameSchema, LetterRouteSchema, LetterSendResultSchema, LetterSettingsArgsSchema, LetterSettingsResultSchema, LetterSettingsSchema, LetterSummarySchema } from './schemas/letters';
import {
  ContactArgs,
  ContactBeginResultSchema,
  ContactDoneResultSchema,
  ContactViewSchema,
  DocumentArgs,
  DocumentSubmitResultSchema,
  DocumentViewSchema,
  LostInfoArgs,
  LostInfoBeginResultSchema,
  LostInfoCompleteResultSchema,
} from './schemas/account-contact';
import { MobileIdQrSchema, MobileIdArgs, MobileIdSummarySchema } from './schemas/mobile-id';
import { OperatorArgs, OperatorChangeResultSchema } from './schemas/operator-accounts';
import { OperatorRecordSchema } from './schemas/operators';
import { PcscServiceStatusSchema, ReaderListSchema, ReaderRemovedSchema, ReaderSchema } from './schemas/readers';
import { OtpImportReportSchema, OtpTokenSchema, SecondFactorArgs, SecondFactorResultSchema, SecondFactorStatusSchema, TotpEnrolmentSchema } from './schemas/account-second-factor';
import {
  BackupFileNameSchema,
  BackupInfoSchema,
  PassphraseSchema,
  PersonalNumberRuleSchema,
  UnlockResultSchema,
  VaultRecoverResultSchema,
  VaultRecoveryCodeInputSchema,
  VaultRecoveryCodeSchema,
  VaultStatusSchema,
} from './schemas/vault';
import {
  NotifyOutboxArgsSchema,
  NotifyOutboxSchema,
  NotifySetSettingsArgsSchema,
  NotifySettingsViewSchema,
  NotifyTestArgsSchema,
  NotifyTestResultSchema,
  OutboxMessageSchema,
} from './schemas/account-notify';

import { OperatorSessionSettingsSchema, OperatorSessionSummarySchema } from './schemas/operators';
import { ApprovalArgs, ApprovalResultSchema, SessionArgs, SignInResultSchema } from './schemas/operator-sign-in';
import type { ChannelPermission } from './permissions';

/** A channel that takes no arguments. */
const NoArgs = z.undefined();

const both: readonly Surface[] = ['desk', 'kiosk'];
const desk: readonly Surface[] = ['desk'];
const kiosk: readonly Surface[] = ['kiosk'];

const Serial = z.object({ serial: z.string().min(1).max(64) });
const HolderId = z.object({ id: z.string().min(1).max(64) });

interface ChannelSpec {
  readonly args: z.ZodType;
  readonly result: z.ZodType;
  /** The surfaces that may call it; a kiosk window never reaches an operator channel. */
  readonly surfaces: readonly Surface[];
  /** `write` channels change state and must leave an event in the audit trail. */
  readonly effect: 'read' | 'write';
  /**
   * What the calling operator's roles must permit (electron/shared/permissions.ts), checked in the
   * core before any service runs; a channel without one does not compile.
   */
  readonly permission: ChannelPermission;
}

export const channels = {
  'app:info': { args: NoArgs, result: AppInfoSchema, surfaces: both, effect: 'read', permission: 'open' },
  /** Team mode (issue 18 §5): whether this station is on a team database and reaches it (a screen opened while it is lost says so). */
  'database:state': { args: NoArgs, result: z.object({ team: z.boolean(), connected: z.boolean() }), surfaces: both, effect: 'read', permission: 'open' },
  'readers:list': { args: NoArgs, result: ReaderListSchema, surfaces: both, effect: 'read', permission: 'open' },
  'readers:insertVirtualCard': { args: NoArgs, result: z.null(), surfaces: desk, effect: 'write', permission: 'card.issue' },
  'readers:removeVirtualCard': { args: NoArgs, result: z.null(), surfaces: desk, effect: 'write', permission: 'card.issue' },
  'cards:inspect': { args: CardArgs.inspect, result: CardInspectResultSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'cards:verifyPin': { args: CardArgs.verifyPin, result: CardActionResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'cards:changePin': { args: CardArgs.changePin, result: CardActionResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'cards:changePuk': { args: CardArgs.changePuk, result: CardActionResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'cards:unblockPin': { args: CardArgs.unblockPin, result: CardActionResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'cards:offlineUnblockBegin': { args: CardArgs.offlineUnblockBegin, result: OfflineChallengeResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'cards:offlineUnblockComplete': { args: CardArgs.offlineUnblockComplete, result: OfflineUnblockResultSchema, surfaces: both, effect: 'write', permission: 'card.service' },
  'cards:offlineUnblockCancel': { args: CardArgs.offlineUnblockCancel, result: z.null(), surfaces: both, effect: 'write', permission: 'card.service' },
  'cards:setRetryCounters': { args: CardArgs.setRetryCounters, result: CardActionResultSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },

  // The card life cycle: personalisation and everything after it (operator only).
  'cards:policy': { args: NoArgs, result: IssuancePolicySchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'cards:updatePolicy': { args: LifecycleArgs.updatePolicy, result: IssuancePolicySchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'cards:issue': { args: LifecycleArgs.issue, result: IssueResultSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'cards:resumeIssue': { args: LifecycleArgs.resumeIssue, result: IssueResultSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'cards:replace': { args: LifecycleArgs.replace, result: IssueResultSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'cards:record': { args: LifecycleArgs.record, result: CardStatusSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'cards:renew': { args: LifecycleArgs.renew, result: LifecycleResultSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'cards:retire': { args: LifecycleArgs.retire, result: LifecycleResultSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'cards:resetPin': { args: LifecycleArgs.resetPin, result: LifecycleResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'cards:unblockResponse': { args: LifecycleArgs.unblockResponse, result: UnblockResponseResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'cards:suspend': { args: LifecycleArgs.suspend, result: LifecycleResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'cards:resume': { args: LifecycleArgs.resumeCard, result: LifecycleResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'cards:revoke': { args: LifecycleArgs.revoke, result: LifecycleResultSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'cards:reportLost': { args: LifecycleArgs.reportLost, result: LifecycleResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  /** The holder activates a new card at the desk: their PIN on the card, its 9C key signs the contract (the PIN goes to the card only; the kiosk has kiosk:activate). */
  'cards:activate': { args: LifecycleArgs.activate, result: LifecycleResultSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'cards:expiring': { args: LifecycleArgs.expiring, result: z.array(ExpiringCertificateSchema), surfaces: desk, effect: 'read', permission: 'directory.read' },

  'tokens:modules': { args: NoArgs, result: z.array(Pkcs11ModuleStatusSchema), surfaces: desk, effect: 'read', permission: 'ca.admin' },
  'tokens:addModule': { args: Pkcs11Args.addModule, result: Pkcs11ModuleStatusSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'tokens:removeModule': { args: Pkcs11Args.removeModule, result: z.null(), surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'tokens:libraryFolders': { args: NoArgs, result: Pkcs11LibraryFoldersSchema, surfaces: desk, effect: 'read', permission: 'ca.admin' },
  'tokens:addLibraryFolder': { args: Pkcs11Args.libraryFolder, result: Pkcs11LibraryFoldersSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'tokens:removeLibraryFolder': { args: Pkcs11Args.libraryFolder, result: Pkcs11LibraryFoldersSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'tokens:list': { args: NoArgs, result: z.array(Pkcs11TokenInfoSchema), surfaces: desk, effect: 'read', permission: 'ca.admin' },
  'tokens:objects': { args: Pkcs11Args.objects, result: Pkcs11ObjectsSchema, surfaces: desk, effect: 'read', permission: 'ca.admin' },
  'tokens:login': { args: Pkcs11Args.login, result: Pkcs11LoginResultSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },

  // The vault: passphrase, lock, settings, backups. Passphrases cross once per call, never back.
  // Enrollment contracts: the list, the document, its signatures, and the templates they are made from.
  'contracts:list': { args: ContractArgs.list, result: ContractListSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  /** The card's contract while it waits for the holder's signature (null: none). */
  'contracts:awaiting': { args: Serial, result: ContractSummarySchema.nullable(), surfaces: desk, effect: 'read', permission: 'directory.read' },
  'contracts:get': { args: ContractArgs.id, result: ContractSummarySchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  /** The document for the viewer (recorded as viewed); a damaged contract is refused, never served. */
  'contracts:open': { args: ContractArgs.id, result: DownloadSchema, surfaces: desk, effect: 'write', permission: 'directory.read' },
  'contracts:download': { args: ContractArgs.id, result: DownloadSchema, surfaces: desk, effect: 'write', permission: 'directory.read' },
  'contracts:verify': { args: ContractArgs.id, result: PdfVerifyReportSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'contracts:verifyFile': { args: ContractArgs.verifyFile, result: PdfVerifyReportSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'contracts:templates': { args: NoArgs, result: z.array(ContractTemplateSchema), surfaces: desk, effect: 'read', permission: 'directory.read' },
  'contracts:setTemplate': { args: ContractArgs.setTemplate, result: SetTemplateResultSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'contracts:resetTemplate': { args: ContractArgs.template, result: ContractTemplateSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },

  'vault:status': { args: NoArgs, result: VaultStatusSchema, surfaces: desk, effect: 'read', permission: 'open' },
  'vault:init': { args: z.object({ passphrase: PassphraseSchema }), result: VaultStatusSchema, surfaces: desk, effect: 'write', permission: 'open' },
  'vault:unlock': { args: z.object({ passphrase: PassphraseSchema }), result: UnlockResultSchema, surfaces: desk, effect: 'write', permission: 'open' },
  'vault:lock': { args: NoArgs, result: VaultStatusSchema, surfaces: desk, effect: 'write', permission: 'open' },
  /** A new one-time recovery code (issue 17 §2), shown once; the vault keeps only its check. */
  'vault:issueRecoveryCode': { args: NoArgs, result: VaultRecoveryCodeSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  /** The recovery for a lost last administrator card: the passphrase and the recovery code (used up; a new one is returned). */
  'vault:recover': { args: z.object({ passphrase: PassphraseSchema, code: VaultRecoveryCodeInputSchema }), result: VaultRecoverResultSchema, surfaces: desk, effect: 'write', permission: 'open' },
  'vault:updateSettings': {
    args: z.object({ idleLockMinutes: z.number().int().min(1).max(480).optional(), personalNumberRule: PersonalNumberRuleSchema.optional() }),
    result: VaultStatusSchema,
    surfaces: desk,
    effect: 'write', permission: 'ca.admin',
  },
  'vault:backup': { args: NoArgs, result: BackupInfoSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'vault:listBackups': { args: NoArgs, result: z.array(BackupInfoSchema), surfaces: desk, effect: 'read', permission: 'ca.admin' },
  'vault:restore': { args: z.object({ fileName: BackupFileNameSchema, passphrase: PassphraseSchema }), result: UnlockResultSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },

  // The certificate authority.
  'ca:status': { args: NoArgs, result: CaStatusSchema, surfaces: desk, effect: 'read', permission: 'open' },
  'ca:init': { args: CaInitArgsSchema, result: CaStatusSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'ca:import': { args: CaImportArgsSchema, result: CaStatusSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'ca:publishCrl': { args: NoArgs, result: CrlPublishResultSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'ca:startOcsp': { args: z.object({ port: z.number().int().min(1024).max(65535) }), result: CaStatusSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'ca:stopOcsp': { args: NoArgs, result: CaStatusSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'ca:setPublicBaseUrl': { args: CaSetPublicBaseUrlArgsSchema, result: CaStatusSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'settings:networkListener': { args: NoArgs, result: NetworkListenerStatusSchema, surfaces: desk, effect: 'read', permission: 'ca.admin' },
  'settings:setNetworkListener': { args: NetworkListenerSettingsSchema, result: NetworkListenerStatusSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },

  // Mobile IDs (issue 16): a holder's phone enrolled over EST on the listener's HTTPS port.
  'mobile:list': { args: MobileIdArgs.list, result: z.array(MobileIdSummarySchema), surfaces: desk, effect: 'read', permission: 'directory.read' },
  /** The QR code crosses once, to the dialog that shows it; the code itself is kept only as its hash. */
  'mobile:issue': { args: MobileIdArgs.issue, result: MobileIdQrSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'mobile:lock': { args: MobileIdArgs.lock, result: MobileIdSummarySchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'mobile:unlock': { args: MobileIdArgs.id, result: MobileIdSummarySchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'mobile:revoke': { args: MobileIdArgs.revoke, result: MobileIdSummarySchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'mobile:cancel': { args: MobileIdArgs.id, result: z.null(), surfaces: desk, effect: 'write', permission: 'card.issue' },
  /** Move to a new phone: a new mobile ID whose QR code crosses once, as for mobile:issue; the old phone works until the new one enrols. */
  'mobile:migrate': { args: MobileIdArgs.migrate, result: MobileIdQrSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  // Operator accounts (issue 17 §1, Settings → Operators). Listing is operators.manage too: who may
  // do what at the desk, and with which cards, is the administrator's business; the other roles
  // see themselves in the app bar, and the access history names operators in its events.
  'operators:list': { args: NoArgs, result: z.array(OperatorRecordSchema), surfaces: desk, effect: 'read', permission: 'operators.manage' },
  'operators:add': { args: OperatorArgs.add, result: OperatorChangeResultSchema, surfaces: desk, effect: 'write', permission: 'operators.manage' },
  'operators:setRoles': { args: OperatorArgs.setRoles, result: OperatorChangeResultSchema, surfaces: desk, effect: 'write', permission: 'operators.manage' },
  'operators:suspend': { args: OperatorArgs.id, result: OperatorChangeResultSchema, surfaces: desk, effect: 'write', permission: 'operators.manage' },
  'operators:resume': { args: OperatorArgs.id, result: OperatorChangeResultSchema, surfaces: desk, effect: 'write', permission: 'operators.manage' },
  'operators:remove': { args: OperatorArgs.id, result: OperatorChangeResultSchema, surfaces: desk, effect: 'write', permission: 'operators.manage' },
  /** The holder kiosk's idle seconds, shuffled PIN pad and file downloads (Settings → Kiosk). */
  'settings:kiosk': { args: NoArgs, result: KioskSettingsSchema, surfaces: desk, effect: 'read', permission: 'kiosk.manage' },
  'settings:setKiosk': { args: KioskSettingsSchema, result: KioskSettingsSchema, surfaces: desk, effect: 'write', permission: 'kiosk.manage' },
  // The operator session (issue 17 §2): idle minutes and what the card leaving its reader does.
  'settings:operatorSession': { args: NoArgs, result: OperatorSessionSettingsSchema, surfaces: desk, effect: 'read', permission: 'ca.admin' },
  'settings:setOperatorSession': { args: OperatorSessionSettingsSchema, result: OperatorSessionSettingsSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'settings:welcome': { args: NoArgs, result: WelcomeProgressSchema, surfaces: desk, effect: 'read', permission: 'open' },
  'settings:rememberWelcome': { args: WelcomeProgressSchema, result: WelcomeProgressSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'ca:downloadCertificates': { args: z.object({ format: CertificateFormatSchema }), result: DownloadSchema, surfaces: desk, effect: 'read', permission: 'open' },

  // Issued certificates.
  'certificates:list': { args: CertificateListArgsSchema, result: CertificateListSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'certificates:get': { args: Serial, result: CertificateDetailSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'certificates:issue': { args: CertificateIssueArgsSchema, result: CertificateSummarySchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'certificates:renew': {
    args: Serial.extend({ request: z.string().max(64 * 1024).nullable().default(null), validityDays: z.number().int().min(1).max(3650).optional() }),
    result: CertificateSummarySchema,
    surfaces: desk,
    effect: 'write', permission: 'card.issue',
  },
  'certificates:revoke': { args: Serial.extend({ reason: RevocationReasonSchema }), result: CertificateActionResultSchema, surfaces: desk, effect: 'write', permission: 'card.issue' },
  'certificates:suspend': {
    args: Serial.extend({ days: z.number().int().min(1).max(30), afterHold: AfterHoldSchema }),
    result: CertificateActionResultSchema,
    surfaces: desk,
    effect: 'write', permission: 'card.service',
  },
  'certificates:resume': { args: Serial, result: CertificateActionResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'certificates:download': { args: Serial.extend({ format: CertificateFormatSchema }), result: DownloadSchema, surfaces: desk, effect: 'write', permission: 'directory.read' },

  // The directory: holders and the cards registered to them.
  'holders:search': { args: HolderSearchArgsSchema, result: HolderSearchResultSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'holders:get': {
    args: HolderId,
    result: z.object({ holder: HolderSchema, cards: z.array(CardRecordSchema), certificates: z.array(CertificateSummarySchema) }),
    surfaces: desk,
    effect: 'read', permission: 'directory.read',
  },
  'holders:create': { args: HolderInputSchema, result: HolderSaveResultSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  'holders:update': { args: HolderId.extend({ version: z.number().int(), holder: HolderInputSchema }), result: HolderSaveResultSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  'holders:importCsv': { args: z.object({ csv: z.string().max(64 * 1024 * 1024) }), result: CsvImportResultSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  'holders:exportCsv': { args: HolderSearchArgsSchema, result: DownloadSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  'directory:registerCard': {
    args: z.object({ serial: z.string().min(1).max(64), holderId: z.string().max(64).nullable() }),
    result: CardRecordSchema,
    surfaces: desk,
    effect: 'write', permission: 'card.issue',
  },
  // PIN letters: listed by holder, sent to a printer or the drop folder, never shown (a user-number letter may be).
  'letters:list': { args: z.object({ holderId: z.string().min(1).max(64) }), result: z.array(LetterSummarySchema), surfaces: desk, effect: 'read', permission: 'directory.read' },
  'letters:deliver': { args: z.object({ fileName: LetterFileNameSchema, route: LetterRouteSchema }), result: LetterSendResultSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  'letters:markSent': { args: z.object({ fileName: LetterFileNameSchema }), result: LetterSendResultSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  'letters:preview': { args: z.object({ fileName: LetterFileNameSchema }), result: DownloadSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'letters:settings': { args: NoArgs, result: LetterSettingsSchema, surfaces: desk, effect: 'read', permission: 'ca.admin' },
  'letters:updateSettings': { args: LetterSettingsArgsSchema, result: LetterSettingsResultSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  // The holder's kiosk (schemas/kiosk.ts). Before sign-in only these four, each rate-limited per
  // kiosk window: begin (the card's genuineness proof), signIn, unblockPin, offlineUnblockBegin.
  // Every other kiosk channel answers for the session's card and holder only.
  'kiosk:status': { args: NoArgs, result: KioskStatusSchema, surfaces: kiosk, effect: 'read', permission: 'holderSelf' },
  'kiosk:begin': { args: KioskArgs.begin, result: KioskBeginResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:signIn': { args: KioskArgs.signIn, result: KioskSignInResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:unblockPin': { args: KioskArgs.unblockPin, result: KioskActionResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:offlineUnblockBegin': { args: NoArgs, result: OfflineChallengeResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:activate': { args: KioskArgs.activate, result: KioskActionResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  /** The contract awaiting the holder's signature, to read before activating (begun session, card awaiting activation). */
  'kiosk:pendingContract': { args: NoArgs, result: DownloadSchema, surfaces: kiosk, effect: 'read', permission: 'holderSelf' },
  'kiosk:home': { args: NoArgs, result: KioskHomeSchema, surfaces: kiosk, effect: 'read', permission: 'holderSelf' },
  /** The holder is still there (a touch on the screen): the idle time starts again. */
  'kiosk:touch': { args: NoArgs, result: z.object({ idleSecondsLeft: z.number().int() }), surfaces: kiosk, effect: 'read', permission: 'holderSelf' },
  'kiosk:changePin': { args: KioskArgs.changePin, result: KioskActionResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:changePuk': { args: KioskArgs.changePuk, result: KioskActionResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:certificate': { args: KioskArgs.certificate, result: DownloadSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:contract': { args: NoArgs, result: z.object({ document: DownloadSchema, report: PdfVerifyReportSchema }).nullable(), surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:history': { args: KioskArgs.history, result: HolderSummarySchema, surfaces: kiosk, effect: 'read', permission: 'holderSelf' },
  'kiosk:suspend': { args: KioskArgs.suspend, result: KioskActionResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:revoke': { args: KioskArgs.revoke, result: KioskActionResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:signOut': { args: NoArgs, result: z.null(), surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  // "My card was stolen: suspend it" without the card (schemas/kiosk-stolen.ts): before sign-in, limited
  // per kiosk window and per personal number; the personal number plus a code the holder receives.
  'kiosk:stolenCardBegin': { args: StolenCardArgs.begin, result: StolenCardBeginSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:stolenCardComplete': { args: StolenCardArgs.complete, result: StolenCardResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:stolenCardCancel': { args: StolenCardArgs.cancel, result: z.null(), surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  // The signed-in holder's mobile IDs (schemas/kiosk-mobile.ts, issue 16): the session's holder only;
  // an id of another holder's mobile ID is refused and recorded.
  'kiosk:mobileIds': { args: NoArgs, result: z.array(KioskMobileIdSchema), surfaces: kiosk, effect: 'read', permission: 'holderSelf' },
  'kiosk:mobileIssue': { args: KioskMobileArgs.issue, result: KioskMobileIssuedSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:mobileCancel': { args: KioskMobileArgs.cancel, result: KioskMobileResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:mobileLock': { args: KioskMobileArgs.lock, result: KioskMobileResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:mobileRevoke': { args: KioskMobileArgs.revoke, result: KioskMobileResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:mobileMigrate': { args: KioskMobileArgs.migrate, result: KioskMobileIssuedSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },

  'audit:query': { args: AuditQueryArgsSchema, result: AuditPageSchema, surfaces: desk, effect: 'read', permission: 'audit.read' },
  // The operator accounts by name (issue 17 §5): the access history's operator filter suggests them and names the actors.
  'audit:operators': { args: NoArgs, result: z.array(AuditOperatorSchema), surfaces: desk, effect: 'read', permission: 'audit.read' },
  // A holder's own history at the desk; the kiosk reads it through kiosk:history, whose holder
  // comes from the kiosk session, never from the page.
  'audit:holderSummary': { args: HolderSummaryArgsSchema, result: HolderSummarySchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  /** The last verification's report (null before the first), without running one. */
  'audit:integrity': { args: NoArgs, result: AuditVerifyReportSchema.nullable(), surfaces: desk, effect: 'read', permission: 'audit.read' },
  // Verifying and exporting are themselves recorded (audit.verify, audit.export).
  'audit:verify': { args: NoArgs, result: AuditVerifyReportSchema, surfaces: desk, effect: 'write', permission: 'audit.read' },
  'audit:exportCsv': { args: AuditFilterSchema, result: AuditExportSchema, surfaces: desk, effect: 'write', permission: 'audit.read' },
  /** An administrator acknowledges a lost log (recorded, signed: VAULT_LOCKED while locked); returns the new report. */
  'audit:acknowledgeLoss': { args: NoArgs, result: AuditVerifyReportSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },

  // The holder's second factor (issue 15 §4, §5; schemas/account-second-factor.ts): the desk sees
  // and removes it, imports OATH tokens from PSKC files and assigns them; the kiosk enrols an
  // authenticator app for the session's holder only (the secret crosses once, in totpBegin's answer).
  'account:secondFactor': { args: SecondFactorArgs.status, result: SecondFactorStatusSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'account:removeSecondFactor': { args: SecondFactorArgs.remove, result: SecondFactorStatusSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'account:importOtpTokens': { args: SecondFactorArgs.importTokens, result: OtpImportReportSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'account:otpTokens': { args: NoArgs, result: z.array(OtpTokenSchema), surfaces: desk, effect: 'read', permission: 'directory.read' },
  'account:assignOtpToken': { args: SecondFactorArgs.assignToken, result: OtpTokenSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'kiosk:secondFactor': { args: NoArgs, result: SecondFactorStatusSchema, surfaces: kiosk, effect: 'read', permission: 'holderSelf' },
  'kiosk:totpBegin': { args: NoArgs, result: TotpEnrolmentSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:totpConfirm': { args: SecondFactorArgs.kioskConfirm, result: SecondFactorResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:totpRemove': { args: SecondFactorArgs.kioskRemove, result: SecondFactorResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  // The holder's account (issue 15): contact data, lost info, identity document. At the desk for
  // a holder named by id; at the kiosk for the session's holder only (lost info before sign-in).
  'account:contact': { args: ContactArgs.view, result: ContactViewSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  /** An operator's change of email or mobile, with a reason (recorded); no codes, starts the cooldown. */
  'account:changeContact': { args: ContactArgs.operatorChange, result: ContactViewSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'account:lostInfoBegin': { args: LostInfoArgs.begin, result: LostInfoBeginResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'account:lostInfoComplete': { args: LostInfoArgs.complete, result: LostInfoCompleteResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'account:document': { args: DocumentArgs.view, result: DocumentViewSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'account:submitDocument': { args: DocumentArgs.submit, result: DocumentSubmitResultSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  /** The scan of a submission (its viewing is recorded). */
  'account:documentScan': { args: DocumentArgs.submission, result: DownloadSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  'account:approveDocument': { args: DocumentArgs.submission, result: DocumentViewSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  'account:rejectDocument': { args: DocumentArgs.reject, result: DocumentViewSchema, surfaces: desk, effect: 'write', permission: 'directory.write' },
  'kiosk:contact': { args: NoArgs, result: ContactViewSchema, surfaces: kiosk, effect: 'read', permission: 'holderSelf' },
  'kiosk:contactChangeBegin': { args: ContactArgs.changeBegin, result: ContactBeginResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:contactChangeConfirm': { args: ContactArgs.changeConfirm, result: ContactDoneResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:contactVerifyBegin': { args: ContactArgs.verifyBegin, result: ContactBeginResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:contactVerifyConfirm': { args: ContactArgs.verifyConfirm, result: ContactDoneResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  /** Before sign-in, without a card: limited per kiosk window and per personal number. */
  'kiosk:lostInfoBegin': { args: LostInfoArgs.begin, result: LostInfoBeginResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:lostInfoComplete': { args: LostInfoArgs.complete, result: LostInfoCompleteResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:document': { args: NoArgs, result: DocumentViewSchema, surfaces: kiosk, effect: 'read', permission: 'holderSelf' },
  'kiosk:submitDocument': { args: DocumentArgs.kioskSubmit, result: DocumentSubmitResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  // Holder notifications (issue 15 §6): SMTP and SMS settings (the password goes in, never out), a test message, the outbox.
  'notify:settings': { args: NoArgs, result: NotifySettingsViewSchema, surfaces: desk, effect: 'read', permission: 'ca.admin' },
  'notify:setSettings': { args: NotifySetSettingsArgsSchema, result: NotifySettingsViewSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'notify:test': { args: NotifyTestArgsSchema, result: NotifyTestResultSchema, surfaces: desk, effect: 'write', permission: 'ca.admin' },
  'notify:outbox': { args: NotifyOutboxArgsSchema, result: NotifyOutboxSchema, surfaces: desk, effect: 'read', permission: 'ca.admin' },
  /** A failed message is tried again now (audited). */
  'notify:retry': { args: z.object({ id: z.string().min(1).max(200) }).strict(), result: OutboxMessageSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  // The holder's Emergency Recovery Code (issue 15 §1): status and a new code at the desk (its
  // letter to the outbox, the code never on a screen); the unblock with it at the kiosk, for the
  // card of that window's session only.
  'account:recoveryCodeStatus': { args: AccountRecoveryArgs.holder, result: RecoveryCodeStatusSchema, surfaces: desk, effect: 'read', permission: 'directory.read' },
  'account:resetRecoveryCode': { args: AccountRecoveryArgs.holder, result: RecoveryIssueResultSchema, surfaces: desk, effect: 'write', permission: 'card.service' },
  'kiosk:recoveryBegin': { args: KioskRecoveryArgs.begin, result: KioskRecoveryBeginResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  'kiosk:recoveryComplete': { args: KioskRecoveryArgs.complete, result: KioskRecoveryCompleteResultSchema, surfaces: kiosk, effect: 'write', permission: 'holderSelf' },
  // The desk's operator session (issue 17 §2): who is signed in, sign-in with an operator card and its PIN, sign-out.
  'session:current': { args: NoArgs, result: OperatorSessionSummarySchema, surfaces: desk, effect: 'read', permission: 'open' },
  'session:signIn': { args: SessionArgs.signIn, result: SignInResultSchema, surfaces: desk, effect: 'write', permission: 'open' },
  'session:signOut': { args: NoArgs, result: OperatorSessionSummarySchema, surfaces: desk, effect: 'write', permission: 'open' },
  /**
   * Two-person control (issue 17 §4): a second operator approves a request of the signed-in one at
   * the same desk with their own operator card and PIN (the PIN goes to the card only). Open to the
   * caller: the approver's own roles, proved by the card, must permit the action.
   */
  'approvals:approveWithCard': { args: ApprovalArgs.approveWithCard, result: ApprovalResultSchema, surfaces: desk, effect: 'write', permission: 'open' },
} as const satisfies Record<`${string}:${string}`, ChannelSpec>;

export const events = {
  'readers:serviceChanged': PcscServiceStatusSchema,
  'readers:readerAdded': ReaderSchema,
  'readers:readerRemoved': ReaderRemovedSchema,
  /** The card stayed but its state changed (became mute, or another program took it). */
  'readers:readerChanged': ReaderSchema,
  'readers:cardInserted': ReaderSchema,
  'readers:cardRemoved': ReaderSchema,
  /** A card workflow (issue, resume, replace, renew, retire, PIN reset) began or ended a step. */
  'cards:progress': WorkflowProgressSchema,
  /** The vault locked (also after the idle time) or unlocked. */
  'vault:stateChanged': z.object({ unlocked: z.boolean(), initialised: z.boolean() }),
  /** New events are in the audit log; screens ask again for what they show. */
  'audit:appended': AuditAppendedSchema,
  /** A kiosk session ended (card out, idle, signed out): the kiosk window wipes every holder detail. */
  'kiosk:sessionEnded': KioskSessionEndedSchema,
  /** The desk's operator session changed (sign-in, sign-out, idle, card removed): the app bar and the sign-in screen follow. */
  'session:changed': OperatorSessionSummarySchema,
  /** Team mode (issue 18 §4): another station changed these collections of the vault's records; screens ask again. */
  'vault:changedElsewhere': z.object({ collections: z.array(z.string()) }),
  /** Team mode (issue 18 §5): the team database was lost (writes are refused) or is back. */
  'database:status': z.object({ connected: z.boolean() }),
} as const satisfies Record<`${string}:${string}`, z.ZodType>;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
/** Arguments as the caller writes them. */
export type ChannelArgs<C extends ChannelName> = z.input<Channels[C]['args']>;
/** Arguments as a handler receives them, after parsing. */
export type ParsedArgs<C extends ChannelName> = z.output<Channels[C]['args']>;
export type ChannelResult<C extends ChannelName> = z.output<Channels[C]['result']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const channelNames = Object.keys(channels) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
