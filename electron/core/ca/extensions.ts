/** X.509 v3 extensions as DER (RFC 5280 §4.2). */
import { isIP } from 'node:net';
import { CardDeskError } from '../../shared/errors';
import type { SubjectAltName } from '../../shared/schemas/certificates';
import { bitString, bool, explicit, implicitPrimitive, integer, nullValue, octetString, oid, seq, tlv, utf8 } from './der';
import { OID } from './oids';
import { KU, type KeyUsageName } from './profiles';

export function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octetString(value)) : seq(oid(id), octetString(value));
}

export function basicConstraints(ca: boolean, pathLength?: number): Buffer {
  const parts = ca ? [bool(true), ...(pathLength === undefined ? [] : [integer(pathLength)])] : [];
  return extension(OID.basicConstraints, true, seq(...parts));
}

/** KeyUsage as a DER BIT STRING: trailing zero bits dropped, their count in the first byte. */
export function keyUsage(names: readonly KeyUsageName[]): Buffer {
  let bits = 0;
  for (const name of names) bits |= 0x80 >> KU[name];
  let unused = 0;
  while (unused < 7 && (bits & (1 << unused)) === 0) unused += 1;
  return extension(OID.keyUsage, true, bitString(Buffer.from([bits]), unused));
}

export function extendedKeyUsage(oids: readonly string[], critical = false): Buffer {
  return extension(OID.extKeyUsage, critical, seq(...oids.map(oid)));
}

export function subjectKeyIdentifier(keyId: Buffer): Buffer {
  return extension(OID.subjectKeyIdentifier, false, octetString(keyId));
}

export function authorityKeyIdentifier(keyId: Buffer): Buffer {
  return extension(OID.authorityKeyIdentifier, false, seq(implicitPrimitive(0, keyId)));
}

function generalName(san: SubjectAltName): Buffer {
  switch (san.type) {
    case 'email':
      return implicitPrimitive(1, Buffer.from(san.value, 'latin1'));
    case 'dns':
      return implicitPrimitive(2, Buffer.from(san.value, 'latin1'));
    case 'uri':
      return implicitPrimitive(6, Buffer.from(san.value, 'latin1'));
    case 'ip': {
      const version = isIP(san.value);
      if (version === 0) throw new CardDeskError('MALFORMED_INPUT', `${san.value} is not an IP address.`);
      return implicitPrimitive(7, version === 4 ? Buffer.from(san.value.split('.').map(Number)) : ipv6Bytes(san.value));
    }
    case 'upn':
      // otherName [0] { type-id, [0] EXPLICIT UTF8String } (Microsoft UPN)
      return tlv(0xa0, Buffer.concat([oid(OID.msUpn), explicit(0, utf8(san.value))]));
  }
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const all = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return Buffer.from(all.map((g) => g.padStart(4, '0')).join(''), 'hex');
}

const ASCII = /^[\x21-\x7e]+$/;
export function checkSan(san: SubjectAltName): void {
  const fine =
    san.type === 'email'
      ? /^[^\s@]+@[^\s@]+$/.test(san.value) && ASCII.test(san.value)
      : san.type === 'dns'
        ? /^(\*\.)?([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$/.test(san.value)
        : san.type === 'uri'
          ? /^[a-z][a-z0-9+.-]*:[\x21-\x7e]+$/i.test(san.value)
          : san.type === 'ip'
            ? isIP(san.value) !== 0
            : /^[^\s@]+@[^\s@]+$/.test(san.value);
  if (!fine) throw new CardDeskError('MALFORMED_INPUT', `"${san.value}" is not a valid ${san.type} name.`);
}

export function subjectAltName(sans: readonly SubjectAltName[]): Buffer {
  for (const san of sans) checkSan(san);
  return extension(OID.subjectAltName, false, seq(...sans.map(generalName)));
}

export function crlDistributionPoint(url: string): Buffer {
  // DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] } } }
  return extension(OID.crlDistributionPoints, false, seq(seq(explicit(0, explicit(0, implicitPrimitive(6, Buffer.from(url, 'latin1')))))));
}

/** AuthorityInfoAccess (RFC 5280 §4.2.2.1): the OCSP responder and where the issuer's certificate is (caIssuers). */
export function authorityInfoAccess(access: { readonly ocsp: string | null; readonly caIssuers: string | null }): Buffer {
  const uri = (url: string): Buffer => implicitPrimitive(6, Buffer.from(url, 'latin1'));
  const descriptions = [
    ...(access.ocsp === null ? [] : [seq(oid(OID.ocsp), uri(access.ocsp))]),
    ...(access.caIssuers === null ? [] : [seq(oid(OID.caIssuers), uri(access.caIssuers))]),
  ];
  return extension(OID.authorityInfoAccess, false, seq(...descriptions));
}

export function ocspNoCheck(): Buffer {
  return extension(OID.ocspNoCheck, false, nullValue());
}
