/**
 * Failures inside the worker: reading the CK_RV out of a pkcs11js error, and carrying an
 * unexpected one to the main thread with its code.
 */
import { CardDeskError } from '../../../shared/errors';
import { ckrName } from '../ck';

/** An unexpected CK_RV, thrown as PKCS11_ERROR with the CKR name for the log. */
export class Pkcs11CallError extends CardDeskError {
  constructor(
    readonly call: string,
    readonly ckr: number,
  ) {
    super('PKCS11_ERROR', `${call} failed with ${ckrName(ckr)}.`);
  }
}

/**
 * The CK_RV of a failed pkcs11js call, or null for anything else (a TypeError is our bug).
 * pkcs11js throws a Pkcs11Error whose message is the CKR name and whose `code` is the value.
 */
export function ckrOf(error: unknown): number | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && error.message.startsWith('CKR_') ? code : null;
}

export type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rv: number };

/** Runs one PKCS#11 call and hands back its CK_RV instead of throwing; other errors still throw. */
export function attempt<T>(call: () => T): Attempt<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    const rv = ckrOf(error);
    if (rv === null) throw error;
    return { ok: false, rv };
  }
}

/**
 * Maps a CK_RV to an outcome a person can act on, or null when it is unexpected. Every such
 * mapping includes the token failures (ckr-outcomes.ts builds them on tokenFailureOf).
 */
export type RefusalOf<R extends string> = (rv: number) => R | null;

/** The PKCS#11 function a pkcs11js error came from (`C_Login`), for the log. */
export function failedCall(error: unknown, fallback: string): string {
  const method = (error as { method?: unknown } | null)?.method;
  return typeof method === 'string' && method !== '' ? method : fallback;
}
