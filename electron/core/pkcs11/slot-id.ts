/**
 * pkcs11js passes CK_SLOT_ID and every handle as a Buffer holding a native CK_ULONG, and
 * refuses any other length. CK_ULONG is `unsigned long`: 4 bytes on Windows (LLP64) and on
 * 32-bit systems, 8 bytes on 64-bit Linux and macOS (LP64). CardDesk shows slot ids as numbers.
 */
import { CardDeskError } from '../../shared/errors';

const thirtyTwoBitArchs = new Set(['ia32', 'arm', 'mips', 'mipsel', 'ppc', 's390']);

export function ckUlongSize(platform: NodeJS.Platform = process.platform, arch: string = process.arch): 4 | 8 {
  return platform === 'win32' || thirtyTwoBitArchs.has(arch) ? 4 : 8;
}

export function slotIdOf(handle: Buffer): number {
  if (handle.length === 4) return handle.readUInt32LE(0);
  if (handle.length === 8) {
    const value = handle.readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CardDeskError('PKCS11_ERROR', `The module reported a slot id too large to handle (${value}).`);
    return Number(value);
  }
  throw new CardDeskError('PKCS11_ERROR', `The module reported a slot id of ${handle.length} bytes.`);
}

export function slotHandleOf(slotId: number, size: 4 | 8 = ckUlongSize()): Buffer {
  const handle = Buffer.alloc(size);
  if (size === 4) {
    if (slotId > 0xffffffff) throw new CardDeskError('INVALID_ARGUMENTS', `Slot id ${slotId} does not fit this platform's CK_SLOT_ID.`);
    handle.writeUInt32LE(slotId, 0);
  } else {
    handle.writeBigUInt64LE(BigInt(slotId), 0);
  }
  return handle;
}
