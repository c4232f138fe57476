/**
 * Reads an existing CA from a PKCS#12 file with node-forge (which decrypts the bags, including
 * PBES2/AES files from current OpenSSL). forge cannot turn ECC keys or certificates into its own
 * objects, so CardDesk takes each bag's raw ASN.1 and hands the key to Node's crypto as PKCS#8.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { CardDeskError } from '../../shared/errors';
import { parseCertificate, type ParsedCertificate } from './certificate-reader';

export interface Pkcs12Contents {
  readonly key: KeyObject;
  /** Every certificate in the file (which one belongs to `key` is for the caller to check). */
  readonly certificates: ParsedCertificate[];
}

function asn1ToDer(value: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(value).getBytes(), 'binary');
}

export function readPkcs12(file: Buffer, password: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(file.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (error) {
    const text = String((error as Error).message ?? '');
    const wrongPassword = /MAC could not be verified|Invalid password|decrypt/i.test(text);
    throw new CardDeskError('MALFORMED_INPUT', wrongPassword ? 'The PKCS#12 password is wrong.' : 'The file is not a PKCS#12 file CardDesk can read.', { cause: error });
  }
  const keys: KeyObject[] = [];
  const certificates: ParsedCertificate[] = [];
  for (const safe of p12.safeContents) {
    for (const bag of safe.safeBags) {
      const raw = (bag as { asn1?: forge.asn1.Asn1 }).asn1;
      if (bag.type === forge.pki.oids['pkcs8ShroudedKeyBag'] || bag.type === forge.pki.oids['keyBag']) {
        const info = bag.key !== null && bag.key !== undefined ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : raw;
        if (info !== undefined) keys.push(createPrivateKey({ key: asn1ToDer(info), format: 'der', type: 'pkcs8' }));
      } else if (bag.type === forge.pki.oids['certBag']) {
        const der = bag.cert !== null && bag.cert !== undefined ? asn1ToDer(forge.pki.certificateToAsn1(bag.cert)) : raw === undefined ? null : asn1ToDer(raw);
        if (der !== null) certificates.push(parseCertificate(der));
      }
    }
  }
  const key = keys[0];
  if (key === undefined || keys.length > 1) throw new CardDeskError('MALFORMED_INPUT', 'The PKCS#12 file must hold exactly one private key (the CA key).');
  return { key, certificates };
}
