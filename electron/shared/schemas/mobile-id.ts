import { z } from 'zod';
import { RevocationReasonSchema } from './certificates';

/**
 * A holder's mobile ID (issue 16): a soft credential on the holder's phone, enrolled over EST
 * (RFC 7030) with a one-time code. pending → active → locked (certificates on hold) / revoked;
 * an unfinished enrollment is cancelled (nothing left behind) or expires.
 */
export const mobileLabels = ['auth', 'sign', 'enc'] as const;
export const MobileLabelSchema = z.enum(mobileLabels);

export const mobileIdStates = ['pending', 'active', 'locked', 'revoked', 'cancelled', 'expired'] as const;
export const MobileIdStateSchema = z.enum(mobileIdStates);
export type MobileIdState = z.infer<typeof MobileIdStateSchema>;

export const MobileIdOptionsSchema = z
  .object({
    /** Which certificates to issue, in enrollment order. */
    labels: z
      .array(MobileLabelSchema)
      .min(1)
      .max(3)
      .refine((labels) => new Set(labels).size === labels.length, 'a certificate is named twice'),
    /** How long the mobile ID (and each of its certificates) is valid. */
    validityDays: z.number().int().min(1).max(3 * 365),
    /** Whether the QR code is shown on screen or sent by email. */
    delivery: z.enum(['screen', 'email']),
    /** Whether the escrowed encryption key is recovered onto the phone. */
    recoverKey: z.boolean(),
    /** Whether the holder is told of success or failure. */
    notify: z.boolean(),
  })
  .strict();
export type MobileIdOptions = z.infer<typeof MobileIdOptionsSchema>;

/** What a request may override; the rest comes from the desk's defaults. */
export const MobileIdOptionsInputSchema = MobileIdOptionsSchema.partial();
export type MobileIdOptionsInput = z.infer<typeof MobileIdOptionsInputSchema>;

export const defaultMobileIdOptions: MobileIdOptions = { labels: ['auth', 'sign'], validityDays: 365, delivery: 'screen', recoverKey: false, notify: true };

/** The mobile ID defaults in the issuance policy (a request overrides any of them). */
export const MobileIdPolicySchema = MobileIdOptionsSchema;

/** Default life of the enrollment code. */
export const MOBILE_CODE_LIFE_MINUTES = 15;

/** The stored record (collection `mobileIds`). The code exists only as its SHA-256. */
export const MobileIdRecordSchema = z.object({
  id: z.string(),
  holderId: z.string(),
  state: MobileIdStateSchema,
  options: MobileIdOptionsSchema,
  /** SHA-256 of the one-time code (base64url text), hex; null once every label is enrolled or it was withdrawn. */
  codeHash: z.string().nullable(),
  codeExpiresAt: z.string().nullable(),
  /** The labels the code has enrolled already (single use per label). */
  enrolled: z.array(MobileLabelSchema),
  /** The current certificate's serial per label. */
  certificates: z.partialRecord(MobileLabelSchema, z.string()),
  createdAt: z.string(),
  /** When the mobile ID (its certificates) stops being valid. */
  expiresAt: z.string(),
  stateChangedAt: z.string(),
  /** The mobile ID this one replaces (migration to a new phone). */
  supersedes: z.string().nullable(),
  /** The mobile ID that replaced this one (set when the new phone enrolled; this one is then revoked, superseded). */
  supersededBy: z.string().nullable().optional(),
  /** When the escrowed encryption key was fetched onto the phone (recoverKey; once). */
  keyDeliveredAt: z.string().nullable().optional(),
});
export type MobileIdRecord = z.infer<typeof MobileIdRecordSchema>;

/** What screens and the CLI see: the record without the code's hash. */
export const MobileIdSummarySchema = MobileIdRecordSchema.omit({ codeHash: true }).extend({ codePending: z.boolean() });
export type MobileIdSummary = z.infer<typeof MobileIdSummarySchema>;

export const IssueMobileIdArgsSchema = z.object({ holderId: z.string().min(1), options: MobileIdOptionsInputSchema.default({}) }).strict();

const MobileId = z.string().min(1).max(64);
/** The desk's mobile ID channels' arguments. */
export const MobileIdArgs = {
  list: z.object({ holderId: z.string().min(1).max(64) }).strict(),
  issue: IssueMobileIdArgsSchema,
  id: z.object({ id: MobileId }).strict(),
  /** How long at most the hold lasts (the CRL's certificateHold with its end). */
  lock: z.object({ id: MobileId, days: z.number().int().min(1).max(365) }).strict(),
  revoke: z.object({ id: MobileId, reason: RevocationReasonSchema }).strict(),
  /** Move to a new phone: a new mobile ID replacing `id` (options default to the old one's). */
  migrate: z.object({ id: MobileId, options: MobileIdOptionsInputSchema.default({}) }).strict(),
};

/**
 * A new mobile ID as the desk's screen gets it: the QR code (an SVG data URL of the enrollment URI,
 * which holds the one-time code) to show once in the dialog, and when the code stops working.
 */
export const MobileIdQrSchema = z.object({
  mobileId: MobileIdSummarySchema,
  /** null when the QR code went by email (delivery `email`): the desk never shows it then. */
  qr: z.string().nullable(),
  /** Where the QR code was sent (the holder's address, masked), or null when it is on screen. */
  sentTo: z.string().nullable().default(null),
});
export type MobileIdQr = z.infer<typeof MobileIdQrSchema>;

/** Why an EST request is refused, mapped to HTTP statuses by the EST site. */
export const estRefusals = ['unauthorized', 'malformed', 'forbidden', 'notFound'] as const;
export type EstRefusal = (typeof estRefusals)[number];
