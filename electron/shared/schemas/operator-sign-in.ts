import { z } from 'zod';
import { PinSchema } from './cards';
import { OperatorSessionSummarySchema } from './operators';

/**
 * The desk's operator sign-in with an operator card (issue 17 §2): the reader and the card's PIN
 * (the PIN goes to the card and nowhere else). Refusals are values the sign-in screen explains.
 */
export const signInRefusals = [
  /** The PIN is wrong; `triesLeft` says how many tries the card has left. */
  'wrongPin',
  'pinBlocked',
  'noCard',
  'cardRemoved',
  'cardInUse',
  /** Not a PIV card, or one without a serial. */
  'unknownCard',
  /** No certificate in slot 9A. */
  'noCertificate',
  /** The card's 9A key did not sign the challenge for its certificate's public key. */
  'notGenuine',
  /** The certificate was not issued by this desk's CA (or is not in its records). */
  'foreignCertificate',
  /** Issued by the desk's CA, but not of the operator profile (a holder's card). */
  'notOperatorCertificate',
  'certificateRevoked',
  'certificateOnHold',
  'certificateExpired',
  /** No operator account holds this certificate. */
  'unknownOperator',
  'operatorSuspended',
  'operatorRemoved',
  /** The vault is not open: the CA's records cannot be read. */
  'vaultLocked',
  /** The vault is locked and no wrapping of its key opens with this card (issue 17 §2). */
  'noVaultKey',
] as const;
export const SignInRefusalSchema = z.enum(signInRefusals);
export type SignInRefusal = z.infer<typeof SignInRefusalSchema>;

export const SessionArgs = {
  signIn: z.object({ reader: z.string().min(1).max(200), pin: PinSchema }).strict(),
};

export const SignInResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), session: OperatorSessionSummarySchema }),
  z.object({ ok: z.literal(false), reason: SignInRefusalSchema, triesLeft: z.number().int().nullable(), message: z.string() }),
]);
export type SignInResult = z.infer<typeof SignInResultSchema>;

/** Why a second operator's approval at the desk was refused beyond the card's own checks (dual-control.ts). */
export const approvalRefusals = ['unknown', 'expired', 'ownRequest', 'notPermitted', 'alreadyApproved', 'used'] as const;

/** A second operator approves a request at the same desk (issue 17 §4): the request, their card's reader and its PIN. */
export const ApprovalArgs = {
  approveWithCard: z.object({ requestId: z.string().uuid(), reader: z.string().min(1).max(200), pin: PinSchema }).strict(),
};

export const ApprovalResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), approvedBy: z.string(), approverName: z.string() }),
  z.object({ ok: z.literal(false), reason: z.union([SignInRefusalSchema, z.enum(approvalRefusals)]), triesLeft: z.number().int().nullable(), message: z.string() }),
]);
export type ApprovalResult = z.infer<typeof ApprovalResultSchema>;
