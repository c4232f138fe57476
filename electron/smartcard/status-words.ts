/** Status words a PIV card answers with (ISO/IEC 7816-4 §5.6, SP 800-73-4 Part 2 Table 6). */
export const SW = {
  OK: 0x9000,
  /** 61xx: more response bytes; fetch them with GET RESPONSE. */
  MORE_DATA: 0x6100,
  /** 63Cx: verification failed, x tries left. */
  VERIFY_FAILED: 0x63c0,
  WRONG_LENGTH: 0x6700,
  /** 6Cxx: wrong Le; resend with Le = xx. */
  WRONG_LE: 0x6c00,
  /** A command chain was broken off: the next part was another command. */
  LAST_COMMAND_EXPECTED: 0x6883,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED: 0x6986,
  INCORRECT_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  NOT_ENOUGH_MEMORY: 0x6a84,
  INCORRECT_P1P2: 0x6a86,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

export function isMoreData(sw: number): boolean {
  return (sw & 0xff00) === SW.MORE_DATA;
}

/** Tries left from a 63Cx status word, or null if it is not one. */
export function triesLeftOf(sw: number): number | null {
  return (sw & 0xfff0) === SW.VERIFY_FAILED ? sw & 0x0f : null;
}

const descriptions: Record<number, string> = {
  [SW.WRONG_LENGTH]: 'wrong length',
  [SW.LAST_COMMAND_EXPECTED]: 'last command of the chain expected',
  [SW.SECURITY_STATUS_NOT_SATISFIED]: 'security status not satisfied',
  [SW.AUTH_METHOD_BLOCKED]: 'authentication method blocked',
  [SW.CONDITIONS_NOT_SATISFIED]: 'conditions of use not satisfied',
  [SW.COMMAND_NOT_ALLOWED]: 'command not allowed',
  [SW.INCORRECT_DATA]: 'incorrect data',
  [SW.FUNCTION_NOT_SUPPORTED]: 'function not supported',
  [SW.FILE_NOT_FOUND]: 'data object or application not found',
  [SW.NOT_ENOUGH_MEMORY]: 'not enough memory',
  [SW.INCORRECT_P1P2]: 'incorrect parameters P1-P2',
  [SW.REFERENCED_DATA_NOT_FOUND]: 'referenced data not found',
  [SW.INS_NOT_SUPPORTED]: 'instruction not supported',
  [SW.CLA_NOT_SUPPORTED]: 'class not supported',
};

export function describeSw(sw: number): string {
  const hex = sw.toString(16).toUpperCase().padStart(4, '0');
  const tries = triesLeftOf(sw);
  if (tries !== null) return `${hex} (verification failed, ${tries} tries left)`;
  return `${hex}${descriptions[sw] === undefined ? '' : ` (${descriptions[sw]})`}`;
}
