/**
 * How the issuer refuses a request before it touches a card (holder not active, no lost card to
 * replace, nothing to resume): a value, as every other refusal of the card workflows. It is a
 * failed `IssueResult` that also carries the error the contract has always answered with, so the
 * channel handler keeps the envelope (code and text) the screens show.
 */
import { CardDeskError, type ErrorInfo } from '../../shared/errors';
import type { IssueResult } from '../../shared/schemas/lifecycle';

export type IssueRefusal = Extract<IssueResult, { ok: false }> & { readonly refusal: ErrorInfo };

/** What the issuer answers: the contract's result, or a refusal before the card was touched. */
export type IssuerResult = IssueResult | IssueRefusal;

export function refuse(reason: IssueRefusal['reason'], serial: string | null, refusal: ErrorInfo): IssueRefusal {
  return { ok: false, reason, serial, step: null, refusal };
}

export function isRefusal(result: IssuerResult): result is IssueRefusal {
  return !result.ok && 'refusal' in result;
}

/** At the contract boundary: a refusal answers as the error envelope it always was; anything else passes. */
export function asContractResult(result: IssuerResult): IssueResult {
  if (isRefusal(result)) throw new CardDeskError(result.refusal.code, result.refusal.message);
  return result;
}
