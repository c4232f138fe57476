/**
 * A small CA for the PAdES tests, built with the project's CA code (issuance.ts): a root, an
 * issuing CA, a holder's signature certificate with a software key standing in for the card's
 * 9C key, and the desk's time-stamp authority certified by the issuing CA.
 */
import { generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { SoftwareSigner } from '../../electron/core/ca/ca-signer';
import { parseCertificate, type ParsedCertificate } from '../../electron/core/ca/certificate-reader';
import { encodeName } from '../../electron/core/ca/distinguished-name';
import { issueCaCertificate, issueLeaf } from '../../electron/core/ca/issuance';
import { buildCrl, type CrlEntry } from '../../electron/core/ca/crl-builder';
import { keyIdentifier } from '../../electron/core/ca/ca-signer';
import { TimestampAuthority } from '../../electron/core/ca/timestamp-authority';
import { prepareSignature, type SignatureRequest } from '../../electron/core/contracts/pades/pades-signer';

const generate = promisify(generateKeyPair);

export interface PadesCa {
  readonly root: ParsedCertificate;
  readonly issuing: ParsedCertificate;
  readonly issuingSigner: SoftwareSigner;
  readonly signer: ParsedCertificate;
  readonly signerKey: KeyObject;
  readonly tsa: TimestampAuthority;
  /** Issuing CA then root. */
  readonly chain: Buffer[];
  crl(entries: readonly CrlEntry[], now?: Date): Promise<Buffer>;
}

const name = (cn: string): Buffer => encodeName([{ type: 'O', value: 'CardDesk Test' }, { type: 'CN', value: cn }]);

export async function padesCa(options: { signerKey?: 'p256' | 'p384' | 'rsa2048'; now?: Date } = {}): Promise<PadesCa> {
  const now = options.now ?? new Date();
  const ec = async (curve: string): Promise<KeyObject> => (await generate('ec', { namedCurve: curve })).privateKey;
  const [rootKey, issuingKey, tsaKey] = await Promise.all([ec('secp384r1'), ec('secp384r1'), ec('prime256v1')]);
  const signerKey =
    options.signerKey === 'rsa2048' ? (await generate('rsa', { modulusLength: 2048 })).privateKey : await ec(options.signerKey === 'p384' ? 'secp384r1' : 'prime256v1');
  const rootSigner = new SoftwareSigner(rootKey);
  const root = parseCertificate(await issueCaCertificate({ subject: name('Test Root CA'), publicKeyInfo: rootSigner.publicKeyInfo, years: 10, now, signer: rootSigner, issuer: null }));
  const issuingSigner = new SoftwareSigner(issuingKey);
  const issuing = parseCertificate(
    await issueCaCertificate({ subject: name('Test Issuing CA'), publicKeyInfo: issuingSigner.publicKeyInfo, years: 5, now, signer: rootSigner, issuer: root, pathLength: 0 }),
  );
  const issuer = { signer: issuingSigner, certificate: issuing, urls: null };
  const signer = parseCertificate(
    await issueLeaf(
      { profile: 'signature', subject: name('Ada Holder'), publicKeyInfo: new SoftwareSigner(signerKey).publicKeyInfo, subjectAltNames: [{ type: 'email', value: 'ada@example.org' }], validityDays: 365, now },
      issuer,
    ),
  );
  const tsaSigner = new SoftwareSigner(tsaKey);
  const tsaCert = await issueLeaf({ profile: 'timeStamping', subject: name('Test TSA'), publicKeyInfo: tsaSigner.publicKeyInfo, subjectAltNames: [], validityDays: 365, now }, issuer);
  return {
    root,
    issuing,
    issuingSigner,
    signer,
    signerKey,
    tsa: new TimestampAuthority(tsaSigner, tsaCert),
    chain: [issuing.der, root.der],
    crl: (entries, at = new Date()) =>
      buildCrl(entries, { issuerName: issuing.subjectDer, issuerKeyId: keyIdentifier(issuing.publicKeyInfo), number: 1, thisUpdate: at, nextUpdate: new Date(at.getTime() + 7 * 86_400_000) }, issuingSigner),
  };
}

/** An unsigned contract-like PDF of `pages` pages, from pdf-lib. */
export async function unsignedPdf(pages = 1, options: { useObjectStreams?: boolean } = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i += 1) {
    const page = doc.addPage([595, 842]);
    page.drawText(`Enrollment contract, page ${i + 1}`, { x: 50, y: 780, size: 14, font });
    page.drawText('The holder accepts the terms of use of the card.', { x: 50, y: 750, size: 11, font });
  }
  return Buffer.from(await doc.save({ useObjectStreams: options.useObjectStreams ?? true }));
}

/** Prepare, sign with the software key (as the card would), complete with the TSA. */
export async function signWithSoftwareKey(pdf: Buffer, ca: PadesCa, request: Partial<SignatureRequest> = {}): Promise<Buffer> {
  const prepared = await prepareSignature(pdf, { fieldName: 'HolderSignature', signerCertificate: ca.signer.der, chain: ca.chain, signingTime: new Date(), reason: 'Card activation', ...request });
  const value = sign('sha256', prepared.toBeSigned, ca.signerKey);
  return prepared.complete(value, ca.tsa.timestamper());
}
