/**
 * Stable error codes for failures that are not expected outcomes. Expected outcomes
 * (wrong PIN, card removed during a PIN check, …) are values in a channel's result;
 * these codes are for everything a caller cannot plan for. The codes are part of the
 * contract: the renderer maps each to a translated message, scripts may match on them.
 * This file holds no schemas: the browser bridge and the processes that only forward import it
 * without loading zod.
 */
export const errorCodes = [
  /** The arguments did not match the channel's schema. */
  'INVALID_ARGUMENTS',
  /** A stored contract's bytes no longer match the SHA-256 recorded for them: it is shown as damaged, never served. */
  'CONTRACT_DAMAGED',
  /** No such channel in the contract. */
  'UNKNOWN_CHANNEL',
  /** The caller is not the app's own top-level frame (or not an authenticated browser session). */
  'FORBIDDEN_SENDER',
  /** The channel exists but is not offered on this surface (for example an operator action on a kiosk). */
  'NOT_ON_THIS_SURFACE',
  /** The signed-in operator's roles do not permit this action; the message names the role it needs. */
  'NOT_PERMITTED',
  /** A dangerous action needs a second operator's approval first (issue 17 §4); the message says how to get it. */
  'APPROVAL_REQUIRED',
  /** The system smart-card service (pcscd, WinSCard) cannot be reached. */
  'PCSC_UNAVAILABLE',
  /** The browser-mode host cannot be reached or refused the session. */
  'HOST_UNREACHABLE',
  /** No reader of that name is connected. */
  'READER_NOT_FOUND',
  /** The reader holds no card. */
  'NO_CARD',
  /** The card was taken out (or reset) during the operation; it may be incomplete. */
  'CARD_REMOVED',
  /** Another program holds the card exclusively. */
  'CARD_IN_USE',
  /** The card waits for an offline unblock response started in another window; it is kept until then. */
  'CARD_AWAITING_UNBLOCK',
  /** The card has no PIV application. */
  'NOT_A_PIV_CARD',
  /** The card answered with an error the operation cannot go on from. */
  'CARD_ERROR',
  /** The card does not offer what the operation needs (for example a PIN reset with the management key). */
  'CARD_UNSUPPORTED',
  /** A PKCS#11 module is not configured, its file is missing, it is not PKCS#11, or C_Initialize failed. */
  'PKCS11_MODULE_UNAVAILABLE',
  /** A PKCS#11 module returned a failure no caller can plan for; the CKR code is in the log. */
  'PKCS11_ERROR',
  /** A PKCS#11 call did not finish in time; its module is restarted for the next call. */
  'PKCS11_TIMEOUT',
  /** The worker running a PKCS#11 module stopped (or the service was closed) before answering. */
  'PKCS11_WORKER_STOPPED',
  /** The vault has no passphrase yet: run the first-run wizard or `carddesk vault init`. */
  'VAULT_NOT_INITIALISED',
  /** `vault init` on a vault that already has a passphrase. */
  'VAULT_EXISTS',
  /** The action needs the vault's secrets and the vault is locked (or was locked when idle). */
  'VAULT_LOCKED',
  /** Another CardDesk process (app, browser mode or CLI) holds the vault; the message names its PID. */
  'VAULT_IN_USE',
  /** A vault file failed its checks (damaged outside CardDesk); nothing was changed. */
  'VAULT_CORRUPT',
  /** The vault was written by a newer CardDesk than this one. */
  'VAULT_VERSION_UNSUPPORTED',
  /** The vault passphrase (or a backup's passphrase) is wrong; nothing was changed. */
  'WRONG_PASSPHRASE',
  /** The certificate authority has not been created or imported yet. */
  'CA_NOT_INITIALISED',
  /** The vault already has a certificate authority. */
  'CA_EXISTS',
  /** No holder, card or certificate with that identifier. */
  'NOT_FOUND',
  /** Someone else changed the record first, or the value must be unique and is taken. */
  'CONFLICT',
  /** The team database cannot be reached: nothing was changed (writes are refused, never queued). */
  'DATABASE_UNAVAILABLE',
  /** The record is in a state that does not allow this action (for example resuming a revoked certificate). */
  'INVALID_STATE',
  /** A certificate request, PKCS#12 file, CSV file or name could not be read or failed its checks. */
  'MALFORMED_INPUT',
  /** The network port is taken or cannot be used. */
  'PORT_UNAVAILABLE',
  /** The audit log cannot be written or read (disk full, no permission, held too long by another process); nothing was recorded. */
  'AUDIT_UNAVAILABLE',
  /** At the kiosk, a holder sees only their own history, after identifying with card and PIN. */
  'HOLDER_NOT_IDENTIFIED',
  /** At the kiosk: there is no session for this window (the card was removed, the idle time passed, the holder signed out, or none began). */
  'SESSION_ENDED',
  /** At the kiosk: too many attempts from this window in a short time; wait and try again. */
  'TOO_MANY_ATTEMPTS',
  /** An address to be published in certificates (CRL, OCSP) is not a web address others can reach (a loopback address, for example). */
  'PUBLIC_URL_REFUSED',
  /** A PKCS#11 module path failed a check made before loading it (relative, not a regular file, wrong owner, writable by others, outside the library folders). */
  'MODULE_PATH_REFUSED',
  /** A CA to import failed a check (validity, key strength, chain, key match); the message says which. */
  'CA_IMPORT_REFUSED',
  /** The process running the services stopped (it is restarted, unless it keeps stopping); the request may not have completed. */
  'CORE_UNAVAILABLE',
  /** Anything else; the details are in the log, never in the message. */
  'INTERNAL',
  /** The output file already exists and replacing it was not asked for (`--force`); nothing was written. */
  'FILE_EXISTS',
  /** The output path is a symbolic link or not a regular file (or a data-folder path is not a folder); nothing was written. */
  'UNSAFE_PATH',
  /** The team database cannot be reached, refused the credentials, or does not exist; the message names it without its password. */
  'DATABASE_UNREACHABLE',
  /** The team database has no CardDesk schema yet: `carddesk db init`. */
  'DATABASE_NOT_INITIALISED',
  /** The team database's schema version is not this CardDesk's: update CardDesk, or `carddesk db migrate`. */
  'DATABASE_VERSION',
  /** The database holds someone else's tables (init) or already a vault (import); nothing was changed. */
  'DATABASE_NOT_EMPTY',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** The request an APPROVAL_REQUIRED refusal made (issue 17 §4): what a second operator approves at the desk. */
export interface ApprovalRequestInfo {
  readonly requestId: string;
  /** The dual-controlled action (dual-control.ts `dualActions`). */
  readonly action: string;
  /** What is approved, without secrets. */
  readonly summary: string;
  readonly expiresAt: string;
}

export interface ErrorInfo {
  readonly code: ErrorCode;
  /** A sentence for people, in English; the renderer shows its own translation by code. */
  readonly message: string;
  /** With APPROVAL_REQUIRED at the desk: the request to approve. */
  readonly approval?: ApprovalRequestInfo;
}

/** What every channel answers: the value, or an error with a stable code. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Thrown by services for unexpected failures; turned into an error envelope at the boundary. */
export class CardDeskError extends Error {
  override readonly name = 'CardDeskError';

  readonly approval: ApprovalRequestInfo | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; approval?: ApprovalRequestInfo },
  ) {
    super(message, options);
    this.approval = options?.approval;
  }
}

export function failure(code: ErrorCode, message: string, approval?: ApprovalRequestInfo): Envelope<never> {
  return { ok: false, error: approval === undefined ? { code, message } : { code, message, approval } };
}

export function success<T>(value: T): Envelope<T> {
  return { ok: true, value };
}
