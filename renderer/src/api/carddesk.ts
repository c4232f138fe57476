import type { CardDeskApi } from '@shared/api';
import type { ApprovalRequestInfo, Envelope, ErrorCode } from '@shared/errors';

declare global {
  interface Window {
    /** Set by the Electron preload or, in browser mode, by the host's bridge script. */
    readonly carddesk?: CardDeskApi;
  }
}

/** A failed call, with the contract's stable code; screens show `t(\`errors.${code}\`)`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** With APPROVAL_REQUIRED: the request a second operator approves (issue 17 §4). */
    readonly approval?: ApprovalRequestInfo,
  ) {
    super(message);
  }
}

export function carddesk(): CardDeskApi {
  const api = window.carddesk;
  if (api === undefined) {
    throw new ApiError('HOST_UNREACHABLE', 'window.carddesk is missing: open CardDesk through the app or its browser-mode address.');
  }
  return api;
}

export async function unwrap<T>(call: Promise<Envelope<T>>): Promise<T> {
  const envelope = await call;
  if (envelope.ok) return envelope.value;
  throw new ApiError(envelope.error.code, envelope.error.message, envelope.error.approval);
}

export function errorCodeOf(error: unknown): ErrorCode {
  return error instanceof ApiError ? error.code : 'INTERNAL';
}
