import { z } from 'zod';
import { cardRevocationReasons, certificateProfiles, certificateStatuses, contractStatuses, holderLanguages } from '../enums';
import { HolderSummaryArgsSchema } from './audit';
import { OtpCodeSchema } from './account-second-factor';
import { PinSchema, PukSchema } from './cards';

/**
 * The holder's kiosk. A kiosk page holds no identity of its own: the services keep one kiosk
 * session per window (the call's source), bound to the reader, the card serial and the holder
 * found for it. Before sign-in a page may only begin a session on a reader (the card's
 * genuineness proof), sign in with the PIN, unblock with the PUK or start the offline unblock —
 * each rate-limited. Everything else answers for the signed-in card and holder only, whatever
 * the page asks; a session ends when the card leaves the reader, after the idle time, or on
 * sign-out, and every later call is refused (SESSION_ENDED) and recorded as a failure.
 */

/** Why a kiosk session could not begin or go on, in words the kiosk can put to a holder. */
export const kioskRefusals = [
  /** No card in the reader, or it was taken out. */
  'noCard',
  'cardRemoved',
  /** Another program or session holds the card. */
  'cardInUse',
  /** The desk does not know this card (not issued here). */
  'unknownCard',
  /** Its certificates are revoked, it is retired or reported lost: it cannot be used any more. */
  'cardNotUsable',
  /** The card's key did not prove the card is the one the desk issued. */
  'notGenuine',
  /** The holder is suspended or disabled in the directory. */
  'holderInactive',
  'wrongPin',
  'pinBlocked',
  'pukBlocked',
  'wrongPuk',
  /** Too many attempts from this kiosk in a short time: wait and try again. */
  'tooManyAttempts',
  /** What the holder asked needs the desk's keys and the vault is locked, or the service is off. */
  'serviceUnavailable',
  /** The holder has a second factor and its code was missing, wrong, already used, or the factor is locked. */
  'secondFactorWrong',
] as const;
export const KioskRefusalSchema = z.enum(kioskRefusals);
export type KioskRefusal = z.infer<typeof KioskRefusalSchema>;

/**
 * The kiosk's settings, chosen at the desk (Settings → Kiosk): seconds without a touch before a
 * holder's session ends, a shuffled PIN pad, and whether holders may download files.
 */
export const KIOSK_IDLE_SECONDS = { min: 15, max: 900, default: 60 } as const;
export const KioskSettingsSchema = z
  .object({
    idleSeconds: z.number().int().min(KIOSK_IDLE_SECONDS.min).max(KIOSK_IDLE_SECONDS.max),
    shufflePinPad: z.boolean(),
    filesAllowed: z.boolean(),
  })
  .strict();
export type KioskSettings = z.infer<typeof KioskSettingsSchema>;

/** What the kiosk can do right now: shown on the welcome screen, before any card. */
export const KioskStatusSchema = z.object({
  /** null: in service; otherwise why not (the data folder is held by another CardDesk, no PC/SC service …). */
  outOfService: z.enum(['dataFolderInUse', 'noReaderService']).nullable(),
  /** Services that need the desk's keys (suspend, revoke, activation): off while the vault is locked. */
  keyServices: z.enum(['available', 'vaultLocked']),
  /** Seconds without a touch before a session ends (Settings; default 60). */
  idleSeconds: KioskSettingsSchema.shape.idleSeconds,
  /** Shuffle the PIN pad's digits (Settings). */
  shufflePinPad: z.boolean(),
  /** Whether the kiosk lets a holder download files (certificates, the contract). */
  filesAllowed: z.boolean(),
});
export type KioskStatus = z.infer<typeof KioskStatusSchema>;

const reader = z.string().min(1).max(200);

/** A session begun on a card, before the PIN: nothing about the holder is told yet. */
export const KioskBeginResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /**
     * pin: type the PIN to sign in; activate: a new card waiting for its holder to sign the
     * contract; unblock: the PIN is blocked (PUK or offline unblock first).
     */
    next: z.enum(['pin', 'activate', 'unblock']),
    pinTriesLeft: z.number().int().nullable(),
    /** cardAuthentication: the 9E key proved the card before the PIN; afterPin: older card, its 9A key proves it after. */
    proof: z.enum(['cardAuthentication', 'afterPin']),
  }),
  z.object({ ok: z.literal(false), reason: KioskRefusalSchema }),
]);
export type KioskBeginResult = z.infer<typeof KioskBeginResultSchema>;

export const KioskCertificateSchema = z.object({
  serial: z.string(),
  profile: z.enum(certificateProfiles),
  status: z.enum(certificateStatuses),
  notBefore: z.string(),
  notAfter: z.string(),
  /** While suspended: when the hold ends by itself. */
  holdUntil: z.string().nullable(),
});
export type KioskCertificate = z.infer<typeof KioskCertificateSchema>;

/** The signed-in holder's home: their own data only. */
export const KioskHomeSchema = z.object({
  holder: z.object({
    firstName: z.string(),
    lastName: z.string(),
    userNumber: z.string(),
    organisation: z.string(),
    language: z.enum(holderLanguages),
    /** YYYY-MM-DD or null; `documentExpiresSoon` when within 60 days (or past). */
    documentExpiry: z.string().nullable(),
    documentExpiresSoon: z.boolean(),
  }),
  card: z.object({ serial: z.string(), state: z.string() }),
  certificates: z.array(KioskCertificateSchema),
  contract: z.object({ id: z.string(), status: z.enum(contractStatuses), signedAt: z.string().nullable() }).nullable(),
  /** The holder has an authenticator app or OATH token: suspend and revoke ask for its code too. */
  secondFactor: z.boolean(),
  /** Seconds left before the session ends for idleness (the countdown shows the last 10). */
  idleSecondsLeft: z.number().int(),
});
export type KioskHome = z.infer<typeof KioskHomeSchema>;

export const KioskSignInResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), home: KioskHomeSchema }),
  z.object({ ok: z.literal(false), reason: KioskRefusalSchema, triesLeft: z.number().int().nullable() }),
]);
export type KioskSignInResult = z.infer<typeof KioskSignInResultSchema>;

/** A kiosk action on the card or the CA: done, or refused with a reason (and tries left after a wrong PIN/PUK). */
export const KioskActionResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), home: KioskHomeSchema.nullable() }),
  z.object({ ok: z.literal(false), reason: KioskRefusalSchema, triesLeft: z.number().int().nullable() }),
]);
export type KioskActionResult = z.infer<typeof KioskActionResultSchema>;

/** Why a session ended: pushed to the kiosk window, which then wipes every holder detail. */
export const KioskSessionEndedSchema = z.object({
  reason: z.enum(['cardRemoved', 'idle', 'signedOut', 'replaced']),
  /** The kiosk window it is for (its call source): the transports deliver it there only, without this field. */
  source: z.string().optional(),
});

export const KioskArgs = {
  begin: z.object({ reader }).strict(),
  signIn: z.object({ pin: PinSchema }).strict(),
  changePin: z.object({ currentPin: PinSchema, newPin: PinSchema }).strict(),
  changePuk: z.object({ currentPuk: PukSchema, newPuk: PukSchema }).strict(),
  unblockPin: z.object({ puk: PukSchema, newPin: PinSchema }).strict(),
  /** The holder activates a card awaiting activation: the PIN, and the card's 9C key signs the contract. */
  activate: z.object({ pin: PinSchema }).strict(),
  certificate: z.object({ serial: z.string().min(1).max(64), format: z.enum(['pem', 'der']) }).strict(),
  /** The signed-in holder's history: the holder comes from the session, never from the page. */
  history: HolderSummaryArgsSchema.omit({ holderId: true }),
  /** `secondFactor`: the authenticator's code, required when the holder has one (checked by the services). */
  suspend: z.object({ days: z.number().int().min(1).max(30), secondFactor: OtpCodeSchema.optional() }).strict(),
  /** Irreversible: the PIN again, checked by the card (and the second factor's code, as for suspend). */
  revoke: z.object({ reason: z.enum(cardRevocationReasons), pin: PinSchema, secondFactor: OtpCodeSchema.optional() }).strict(),
};
