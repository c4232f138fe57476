/**
 * The seams between the holder account's parts (issue 15), so each is built and tested on its
 * own and the composition root (app-core.ts) joins them:
 *
 *   renderer (desk holder page · kiosk Account) → contract `account:*` / `kiosk:*` channels
 *     → account services (contact changes, lost info, recovery code, second factor, documents)
 *       → OneTimeCodes (codes sent through Notifications) · SecondFactor (TOTP, OATH tokens)
 *       → vault records + audit (ChangeRecorder: the change, its event and its outbox message in ONE journal line)
 *     → notify/ sender (SMTP, SMS gateway) drains the outbox with retries.
 *
 * Nothing here holds a secret longer than a call: codes are compared in constant time and
 * stored only as salted hashes; TOTP seeds and scans are sealed in the vault.
 */
import type { holderLanguages } from '../../shared/enums';
import type { OperationContext } from '../operation-context';
import type { RecordChange } from '../vault/record-store';

export type HolderLanguage = (typeof holderLanguages)[number];

/** What a message reports; each has its text in the holder's language (notify/). */
export const notificationKinds = [
  'cardIssued',
  'cardActivated',
  'certificateExpiring',
  'cardSuspended',
  'suspensionEnded',
  'cardRevoked',
  'pinUnblocked',
  'pinReset',
  /** To the new address (and, as `contactChangedOld`, to the old one). */
  'contactChanged',
  'contactChangedOld',
  'recoveryCodeIssued',
  'lostInfoRequested',
  /** Carries the one secret it delivers: the one-time code (sealed in the outbox). */
  'oneTimeCode',
  /** The user number re-sent (lost info); to the holder or the contact person. */
  'userNumber',
  /** A mobile ID's enrollment link (issue 16): carries it as its `code` (sealed in the outbox, like a one-time code). */
  'mobileIdEnrollment',
  /** The holder's mobile ID became active / an enrollment of it was refused (issue 16, option notify). */
  'mobileIdActive',
  'mobileIdRefused',
  'test',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export type NotificationChannel = 'email' | 'sms';

export interface NotificationRequest {
  readonly kind: NotificationKind;
  /** The holder it concerns (null for a test message). */
  readonly holderId: string | null;
  readonly channel: NotificationChannel;
  /** The email address or mobile number it goes to. */
  readonly to: string;
  readonly language: HolderLanguage;
  /**
   * The values its text names (dates, a masked address, a card serial). Never a PIN, PUK or
   * recovery code; a one-time code only as `code` in a `oneTimeCode` message, sealed at rest.
   */
  readonly params: Readonly<Record<string, string>>;
}

/** The durable outbox: a message is queued in the same commit as the change it reports. */
export interface NotificationQueue {
  /** The outbox record for this message; commit it in the same `ChangeRecorder.commit` as its change. */
  queued(request: NotificationRequest): RecordChange;
  /** Wakes the sender once such a commit is on disk. */
  wake(): void;
}

export const oneTimeCodePurposes = ['contactChangeOld', 'contactChangeNew', 'recoveryCodeUse', 'lostInfo', 'contactVerify', 'stolenCard'] as const;
export type OneTimeCodePurpose = (typeof oneTimeCodePurposes)[number];

export type OneTimeCodeCheck = 'ok' | 'wrong' | 'expired' | 'used' | 'exhausted' | 'unknown';

/** Six digits, single use, 10 minutes, at most 5 tries, compared in constant time, never logged. */
export interface OneTimeCodes {
  /**
   * Makes a code for `purpose` and queues it to `to` in the same commit (its record holds only
   * a salted hash). Returns the code's id, which the caller keeps (in its session or flow) to check it.
   */
  send(
    request: { holderId: string; purpose: OneTimeCodePurpose; channel: NotificationChannel; to: string; language: HolderLanguage },
    context: OperationContext,
  ): Promise<{ codeId: string; expiresAt: string }>;
  /** Checks a typed code; `ok` uses it up. Every try counts, wrong or not, up to 5. */
  check(codeId: string, expected: { holderId: string; purpose: OneTimeCodePurpose }, code: string, context: OperationContext): Promise<OneTimeCodeCheck>;
}

/** The holder's second factor: an authenticator app (TOTP) or a hardware OATH token. */
export interface SecondFactor {
  /** Whether the holder has one enrolled and confirmed (then the kiosk asks for a code). */
  enrolled(holderId: string): boolean;
  /** Checks a code (RFC 6238, ±1 step); a code already used in its step is refused (replay). */
  verify(holderId: string, code: string, context: OperationContext): Promise<boolean>;
}
