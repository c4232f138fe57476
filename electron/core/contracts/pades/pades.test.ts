import { sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PdfVerifyReportSchema } from '../../../shared/schemas/contracts';
import { padesCa, signWithSoftwareKey, unsignedPdf, type PadesCa } from '../../../../test/support/pades-ca';
import { addDocumentTimestamp, addValidationData, prepareSignature } from './pades-signer';
import { verifyPdf } from './pdf-verifier';
import { appendUpdate, ObjectAllocator } from './incremental-writer';
import { PdfFile } from './pdf-file';
import { PdfDict, PdfName, PdfStream, textString, type PdfRef } from './pdf-syntax';
import { readSignedData } from './cms';
import { OID } from '../../ca/oids';

let ca: PadesCa;
let unsigned: Buffer;
let signed: Buffer;

beforeAll(async () => {
  ca = await padesCa();
  unsigned = await unsignedPdf(3);
  signed = await signWithSoftwareKey(unsigned, ca);
});

const good = () => Promise.resolve({ state: 'good' as const, revokedAt: null, reason: null });

/** An incremental update that adds a text annotation to page 1 (what a viewer's "comment" does). */
async function addAnnotation(pdf: Buffer): Promise<Buffer> {
  const file = await PdfFile.open(pdf);
  const view = file.view();
  const pageRef = view.firstPage()!;
  if (pageRef === undefined) throw new Error('no page');
  const page = view.dict(pageRef) as PdfDict;
  const allocator = new ObjectAllocator(file);
  const annot = allocator.next();
  const annots = view.resolve(page.get('Annots') ?? null);
  return appendUpdate(
    file,
    [
      { ref: annot, value: new PdfDict().set('Type', new PdfName('Annot')).set('Subtype', new PdfName('Text')).set('Rect', [10, 10, 40, 40]).set('Contents', textString('changed')) },
      { ref: pageRef, value: new PdfDict(new Map(page.entries)).set('Annots', [...(Array.isArray(annots) ? annots : []), annot]) },
    ],
    allocator,
  ).bytes;
}

/** Replaces page 1's content stream with other text. */
async function replaceContent(pdf: Buffer): Promise<Buffer> {
  const file = await PdfFile.open(pdf);
  const view = file.view();
  const page = view.dict(view.firstPage()) as PdfDict;
  const value = page.get('Contents');
  const contents = (Array.isArray(value) ? value[0] : value) as PdfRef;
  return appendUpdate(file, [{ ref: contents, value: new PdfStream(new PdfDict(), Buffer.from('BT /F1 12 Tf 50 700 Td (Other terms) Tj ET')) }], new ObjectAllocator(file)).bytes;
}

describe('PAdES signing', () => {
  it('signs as an incremental update: the original bytes are a prefix and the range covers all but /Contents', async () => {
    expect(signed.subarray(0, unsigned.length).equals(unsigned)).toBe(true);
    const report = await verifyPdf(signed, { trustAnchors: [ca.root.der], statusNow: good });
    expect(PdfVerifyReportSchema.parse(report)).toEqual(report);
    const [sig] = report.signatures;
    expect(sig).toMatchObject({ fieldName: 'HolderSignature', subFilter: 'ETSI.CAdES.detached', level: 'B-T', integrity: 'intact', afterSigning: 'nothing', verdict: 'valid', documentTimestamp: false });
    expect(sig?.byteRange[2] as number + (sig?.byteRange[3] as number)).toBe(signed.length);
    expect(sig?.chain.status).toBe('trusted');
    expect(sig?.chain.certificates.map((c) => c.subject)).toEqual([ca.signer.subject, ca.issuing.subject, ca.root.subject]);
    expect(sig?.timestamp).toMatchObject({ valid: true, trusted: true });
    expect(sig?.revocation).toMatchObject({ now: 'good', atSigningTime: 'good', source: 'desk' });
  });

  it('puts signing-certificate-v2 and no signing-time in the signed attributes, and the token as an unsigned attribute', async () => {
    const prepared = await prepareSignature(unsigned, { fieldName: 'S', signerCertificate: ca.signer.der, chain: ca.chain, signingTime: new Date() });
    expect(prepared.algorithm).toBe('ecdsaSha256');
    const text = prepared.toBeSigned.toString('hex');
    expect(text).toContain('060b2a864886f70d010910022f'); // id-aa-signingCertificateV2
    expect(text).not.toContain('06092a864886f70d010905'); // signing-time
    const contents = /\/Contents <([0-9a-f]+)>/.exec(signed.toString('latin1'))?.[1] as string;
    const cms = readSignedData(Buffer.from(contents.replace(/(00)+$/, ''), 'hex').subarray(0));
    expect(cms.signer.unsignedAttributes.has(OID.signatureTimeStampToken)).toBe(true);
    expect(cms.eContent).toBeNull();
  });

  it('signs with an RSA key (PKCS#1 v1.5) and a P-384 key', async () => {
    for (const signerKey of ['rsa2048', 'p384'] as const) {
      const other = await padesCa({ signerKey });
      const pdf = await signWithSoftwareKey(await unsignedPdf(1, { useObjectStreams: false }), other);
      const report = await verifyPdf(pdf, { trustAnchors: [other.root.der], statusNow: good });
      expect(report.signatures[0]).toMatchObject({ integrity: 'intact', verdict: 'valid' });
    }
  });

  it('accepts an ECDSA value as r||s, as PKCS#11 returns it', async () => {
    const prepared = await prepareSignature(unsigned, { fieldName: 'S', signerCertificate: ca.signer.der, chain: ca.chain, signingTime: new Date() });
    const raw = sign('sha256', prepared.toBeSigned, { key: ca.signerKey, dsaEncoding: 'ieee-p1363' });
    const pdf = await prepared.complete(raw, null);
    const report = await verifyPdf(pdf, { trustAnchors: [ca.root.der], statusNow: good });
    expect(report.signatures[0]).toMatchObject({ integrity: 'intact', level: 'B-B', timestamp: null });
  });

  it('refuses a field name already in use', async () => {
    await expect(prepareSignature(signed, { fieldName: 'HolderSignature', signerCertificate: ca.signer.der, chain: ca.chain, signingTime: new Date() })).rejects.toThrow(/already has a field/);
  });
});

describe('B-LT and B-LTA', () => {
  it('adds a DSS, then a document time-stamp; the holder signature stays intact with only validation data after it', async () => {
    const lt = await addValidationData(signed, { certificates: [...ca.chain, ca.tsa.certificate], crls: [await ca.crl([])], ocspResponses: [] });
    expect(lt.subarray(0, signed.length).equals(signed)).toBe(true);
    let report = await verifyPdf(lt, { trustAnchors: [ca.root.der] });
    expect(report.signatures[0]).toMatchObject({ level: 'B-LT', afterSigning: 'validationDataOnly', integrity: 'intact', verdict: 'valid' });
    expect(report.signatures[0]?.revocation).toMatchObject({ now: 'good', source: 'embeddedCrl' });
    const lta = await addDocumentTimestamp(lt, ca.tsa.timestamper());
    report = await verifyPdf(lta, { trustAnchors: [ca.root.der] });
    expect(report.signatures).toHaveLength(2);
    expect(report.signatures[0]).toMatchObject({ level: 'B-LTA', afterSigning: 'validationDataOnly', verdict: 'valid' });
    expect(report.signatures[1]).toMatchObject({ documentTimestamp: true, subFilter: 'ETSI.RFC3161', integrity: 'intact', afterSigning: 'nothing' });
    expect(report.signatures[1]?.timestamp).toMatchObject({ valid: true, trusted: true });
    // A second DSS update merges into the first.
    const again = await addValidationData(lta, { certificates: [ca.root.der], crls: [], ocspResponses: [] });
    expect((await verifyPdf(again, { trustAnchors: [ca.root.der] })).signatures.map((s) => s.afterSigning)).toEqual(['validationDataOnly', 'validationDataOnly']);
  });
});

describe('verification', () => {
  it('a byte changed inside the signed range makes the signature modified and invalid', async () => {
    const tampered = Buffer.from(signed);
    const at = 200; // inside the original document, well before /Contents
    tampered[at] = (tampered[at] as number) ^ 0x01;
    const report = await verifyPdf(tampered, { trustAnchors: [ca.root.der], statusNow: good });
    expect(report.signatures[0]).toMatchObject({ integrity: 'modified', verdict: 'invalid' });
  });

  it('an annotation added after signing is a change', async () => {
    const report = await verifyPdf(await addAnnotation(signed), { trustAnchors: [ca.root.der], statusNow: good });
    expect(report.signatures[0]).toMatchObject({ integrity: 'intact', afterSigning: 'changed', verdict: 'invalid' });
  });

  it('replaced page content after signing is a change, also behind a DSS update', async () => {
    const lt = await addValidationData(signed, { certificates: ca.chain, crls: [], ocspResponses: [] });
    expect((await verifyPdf(await replaceContent(lt), { trustAnchors: [ca.root.der], statusNow: good })).signatures[0]?.afterSigning).toBe('changed');
  });

  it('bytes appended after %%EOF are a change', async () => {
    const report = await verifyPdf(Buffer.concat([signed, Buffer.from('garbage')]), { trustAnchors: [ca.root.der], statusNow: good });
    expect(report.signatures[0]?.afterSigning).toBe('changed');
  });

  it('a certificate revoked after the time-stamp is valid at signing time, with the revocation date', async () => {
    const revokedAt = new Date(Date.now() + 60_000);
    const report = await verifyPdf(signed, { trustAnchors: [ca.root.der], statusNow: () => Promise.resolve({ state: 'revoked', revokedAt: revokedAt.toISOString(), reason: 'keyCompromise' }) });
    expect(report.signatures[0]).toMatchObject({ verdict: 'validAtSigningTime', revocation: { now: 'revoked', atSigningTime: 'good', revokedAt: revokedAt.toISOString(), reason: 'keyCompromise', source: 'desk' } });
  });

  it('a certificate revoked before signing is invalid', async () => {
    const report = await verifyPdf(signed, { trustAnchors: [ca.root.der], statusNow: () => Promise.resolve({ state: 'revoked', revokedAt: new Date(Date.now() - 3_600_000).toISOString(), reason: 'keyCompromise' }) });
    expect(report.signatures[0]).toMatchObject({ verdict: 'invalid', revocation: { now: 'revoked', atSigningTime: 'revoked' } });
  });

  it('reads a revocation after signing from an embedded CRL', async () => {
    const later = new Date(Date.now() + 60_000);
    const crl = await ca.crl([{ serial: ca.signer.serial, date: later.toISOString(), reason: 'superseded' }], later);
    const lt = await addValidationData(signed, { certificates: ca.chain, crls: [crl], ocspResponses: [] });
    const report = await verifyPdf(lt, { trustAnchors: [ca.root.der] });
    expect(report.signatures[0]).toMatchObject({ verdict: 'validAtSigningTime', revocation: { now: 'revoked', atSigningTime: 'good', reason: 'superseded', source: 'embeddedCrl' } });
  });

  it('without the root the chain is untrusted or incomplete and the verdict indeterminate', async () => {
    const other = await padesCa();
    const report = await verifyPdf(signed, { trustAnchors: [other.root.der], statusNow: good });
    expect(report.signatures[0]?.chain.status).not.toBe('trusted');
    expect(report.signatures[0]?.verdict).toBe('indeterminate');
  });

  it('a non-PDF, a truncated file and garbage give readable:false, never a throw', async () => {
    for (const bytes of [Buffer.from('not a pdf'), signed.subarray(0, Math.floor(signed.length / 2)), Buffer.alloc(0), Buffer.from('%PDF-1.7\nstartxref\n999999999\n%%EOF')]) {
      const report = await verifyPdf(bytes, { trustAnchors: [ca.root.der] });
      expect(report.readable).toBe(false);
      expect(report.problem).toMatch(/./);
    }
  });

  it('a file without signatures is readable with none', async () => {
    expect(await verifyPdf(unsigned, { trustAnchors: [ca.root.der] })).toMatchObject({ readable: true, signatures: [] });
  });
});
