import { z } from 'zod';
import { cardRevocationReasons, certificateStatuses } from '../enums';
import { OtpCodeSchema } from './account-second-factor';
import { PinSchema } from './cards';
import { kioskRefusals } from './kiosk';
import { MobileIdStateSchema, MobileLabelSchema } from './mobile-id';

/**
 * The holder's mobile IDs at the kiosk (issue 16 §1, §3, §4). Every channel answers for the
 * holder signed in on the calling window's kiosk session only: a mobile ID named by the page is
 * first checked to be that holder's (another holder's is refused as not found, and recorded).
 */

/** Why a kiosk mobile ID action was refused: the kiosk's reasons, plus the mobile ID's own. */
export const kioskMobileRefusals = [
  ...kioskRefusals,
  /** No such mobile ID for the signed-in holder (another holder's is not named as such). */
  'mobileNotFound',
  /** The desk's network listener has no HTTPS port / public host: phones cannot enrol now. */
  'mobileListenerOff',
  /** The mobile ID is not in a state that allows this (e.g. lock of a revoked one). */
  'mobileWrongState',
] as const;
export const KioskMobileRefusalSchema = z.enum(kioskMobileRefusals);
export type KioskMobileRefusal = z.infer<typeof KioskMobileRefusalSchema>;

export const KioskMobileCertificateSchema = z.object({
  label: MobileLabelSchema,
  serial: z.string(),
  status: z.enum(certificateStatuses),
  notAfter: z.string(),
});

/** One of the holder's mobile IDs as the kiosk shows it. */
export const KioskMobileIdSchema = z.object({
  id: z.string(),
  state: MobileIdStateSchema,
  labels: z.array(MobileLabelSchema),
  certificates: z.array(KioskMobileCertificateSchema),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** While the code is unused: when it stops working. */
  codeExpiresAt: z.string().nullable(),
  /** The mobile ID this one replaces (a move to a new phone), and the one that replaces it. */
  supersedes: z.string().nullable(),
  replacedBy: z.string().nullable(),
});
export type KioskMobileId = z.infer<typeof KioskMobileIdSchema>;

const refused = z.object({ ok: z.literal(false), reason: KioskMobileRefusalSchema, triesLeft: z.number().int().nullable() });

/** A new mobile ID at the kiosk: its QR code (SVG data URL, with the one-time code in it) to show once. */
export const KioskMobileIssuedSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), mobileId: KioskMobileIdSchema, qr: z.string(), codeExpiresAt: z.string() }),
  refused,
]);
export type KioskMobileIssued = z.infer<typeof KioskMobileIssuedSchema>;

/** Lock, revoke, cancel: done (with the holder's mobile IDs as they are now) or refused. */
export const KioskMobileResultSchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), mobileIds: z.array(KioskMobileIdSchema) }), refused]);
export type KioskMobileResult = z.infer<typeof KioskMobileResultSchema>;

const id = z.string().min(1).max(64);
const secondFactor = OtpCodeSchema.optional();

export const KioskMobileArgs = {
  /** Which certificates (none: the desk's defaults); `secondFactor` when the holder has one. */
  issue: z
    .object({
      labels: z
        .array(MobileLabelSchema)
        .min(1)
        .max(3)
        .refine((labels) => new Set(labels).size === labels.length, 'a certificate is named twice')
        .optional(),
      secondFactor,
    })
    .strict(),
  cancel: z.object({ id }).strict(),
  lock: z.object({ id, days: z.number().int().min(1).max(30), secondFactor }).strict(),
  /** Irreversible: the PIN again, checked by the card (and the second factor's code). */
  revoke: z.object({ id, reason: z.enum(cardRevocationReasons), pin: PinSchema, secondFactor }).strict(),
  /** Move to a new phone: a new mobile ID replacing `id` once the new phone has enrolled. */
  migrate: z.object({ id, secondFactor }).strict(),
};
