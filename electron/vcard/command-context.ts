/**
 * What every command handler of the virtual card works with: the persistent state, the volatile
 * security status of the current session, and the status-word exception that ends a command.
 */
import type { CommandApdu } from '../smartcard/apdu';
import { SW } from '../smartcard/status-words';
import type { CardState } from './card-state';

/** Ends a command with a status word and no data. */
export class StatusWordError extends Error {
  override readonly name = 'StatusWordError';

  constructor(readonly sw: number) {
    super(`status ${sw.toString(16).toUpperCase()}`);
  }
}

export function fail(sw: number): never {
  throw new StatusWordError(sw);
}

/** Security status: lives until the card is reset or powered off (SP 800-73-4 Part 2 §3.1). */
export interface SessionState {
  pinVerified: boolean;
  /** The PIN was verified and no PIN-always key has used that verification yet. */
  pinFreshForAlways: boolean;
  managementKeyAuthenticated: boolean;
  /** Mutual authentication step 1 told the host an encrypted witness; this is the plain one. */
  pendingWitness: Uint8Array | null;
  /** External authentication step 1 gave the host this challenge. */
  pendingChallenge: Uint8Array | null;
}

export function freshSession(): SessionState {
  return { pinVerified: false, pinFreshForAlways: false, managementKeyAuthenticated: false, pendingWitness: null, pendingChallenge: null };
}

export interface CommandContext {
  readonly state: CardState;
  readonly session: SessionState;
  /** Marks the state changed: the card saves it (and waits for the save) before the response leaves. */
  commit(): void;
  /** Replaces the whole state (vendor RESET). */
  replaceState(next: CardState): void;
}

/** A command after chaining has been undone: all data in one piece. */
export type Command = CommandApdu;

export function requireManagementKey(runtime: CommandContext): void {
  if (!runtime.session.managementKeyAuthenticated) fail(SW.SECURITY_STATUS_NOT_SATISFIED);
}

export function requireP1P2(command: Command, p1: number, p2: number): void {
  if (command.p1 !== p1 || command.p2 !== p2) fail(SW.INCORRECT_P1P2);
}
