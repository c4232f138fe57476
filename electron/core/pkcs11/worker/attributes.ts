/**
 * Reading objects and their attributes. C_GetAttributeValue fills what it can and reports
 * CKR_ATTRIBUTE_SENSITIVE / CKR_ATTRIBUTE_TYPE_INVALID for the rest (v2.40 §5.7), but
 * pkcs11js turns that into an exception and drops the values it got; so on those two codes
 * the attributes are read one by one and the refused ones are left out.
 */
import type { Attribute, PKCS11 } from 'pkcs11js';
import { CKA, CKR } from '../ck';
import type { KeySelector } from '../schemas/objects';
import { attempt, Pkcs11CallError } from './call-error';

export type Attributes = ReadonlyMap<number, Buffer>;

const partialReadCodes = new Set<number>([CKR.ATTRIBUTE_SENSITIVE, CKR.ATTRIBUTE_TYPE_INVALID]);

export function readAttributes(p11: PKCS11, session: Buffer, object: Buffer, types: readonly number[]): Attributes {
  if (types.length === 0) return new Map();
  const all = attempt(() => p11.C_GetAttributeValue(session, object, types.map((type) => ({ type }))));
  if (all.ok) return new Map(all.value.map((attribute) => [attribute.type, attribute.value]));
  if (!partialReadCodes.has(all.rv)) throw new Pkcs11CallError('C_GetAttributeValue', all.rv);
  const out = new Map<number, Buffer>();
  for (const type of types) {
    const one = attempt(() => p11.C_GetAttributeValue(session, object, [{ type }]));
    if (!one.ok && !partialReadCodes.has(one.rv)) throw new Pkcs11CallError('C_GetAttributeValue', one.rv);
    const value = one.ok ? one.value[0]?.value : undefined;
    if (value !== undefined) out.set(type, value);
  }
  return out;
}

/** All objects matching `template`, in batches (v2.40 §5.7: C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal). */
export function findObjects(p11: PKCS11, session: Buffer, template: Attribute[], limit = 10_000): Buffer[] {
  p11.C_FindObjectsInit(session, template);
  const found: Buffer[] = [];
  try {
    while (found.length < limit) {
      const batch = p11.C_FindObjects(session, 64);
      if (batch.length === 0) break;
      found.push(...batch);
    }
  } finally {
    // A failure above is the one to report; a second one from Final would hide it.
    attempt(() => p11.C_FindObjectsFinal(session));
  }
  return found;
}

export function selectorTemplate(selector: KeySelector): Attribute {
  return 'id' in selector ? { type: CKA.ID, value: Buffer.from(selector.id, 'hex') } : { type: CKA.LABEL, value: selector.label };
}

export function selectorKey(objectClass: 'private' | 'public' | 'certificate', selector: KeySelector): string {
  return 'id' in selector ? `${objectClass}:id:${selector.id}` : `${objectClass}:label:${selector.label}`;
}

export const bool = (attributes: Attributes, type: number): boolean => (attributes.get(type)?.[0] ?? 0) !== 0;

export const text = (attributes: Attributes, type: number): string => attributes.get(type)?.toString('utf8') ?? '';

export const hex = (attributes: Attributes, type: number): string => attributes.get(type)?.toString('hex') ?? '';

/** A CK_ULONG attribute (4 or 8 bytes, little-endian on every platform CardDesk runs on). */
export function ulong(attributes: Attributes, type: number): number | null {
  const value = attributes.get(type);
  if (value?.length === 4) return value.readUInt32LE(0);
  if (value?.length !== 8) return null;
  const wide = value.readBigUInt64LE(0);
  return wide <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(wide) : null;
}
