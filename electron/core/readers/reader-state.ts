import type { Reader } from '../../shared/schemas/readers';

/** SCARD_STATE_* flags, the same values in pcsc-lite and WinSCard. */
export const ScardState = {
  CHANGED: 0x0002,
  UNKNOWN: 0x0004,
  UNAVAILABLE: 0x0008,
  EMPTY: 0x0010,
  PRESENT: 0x0020,
  EXCLUSIVE: 0x0080,
  INUSE: 0x0100,
  MUTE: 0x0200,
} as const;

/** Whether a card sits in the reader and answers: the contract's `Reader.cardState`. */
export type CardPresence = Reader['cardState'];

export function cardPresenceOf(state: number): CardPresence {
  if ((state & ScardState.PRESENT) === 0) return 'absent';
  return (state & ScardState.MUTE) !== 0 ? 'mute' : 'present';
}

export function isInUse(state: number): boolean {
  return (state & (ScardState.INUSE | ScardState.EXCLUSIVE)) !== 0;
}

export function atrHex(atr: Buffer | undefined): string | null {
  return atr !== undefined && atr.length > 0 ? atr.toString('hex').toUpperCase() : null;
}
