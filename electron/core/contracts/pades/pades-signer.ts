/**
 * PAdES signing of enrollment contracts (ETSI EN 319 142-1): B-T signatures made in two phases so
 * the card's signature key (PIV 9C) signs in between and never leaves the card, then validation
 * data (DSS, B-LT) and a document time-stamp (B-LTA), each an incremental update.
 *
 * Library choice: our own small incremental writer (incremental-writer.ts) and CMS builder
 * (cms.ts) on the CA's bounded DER code, not `@signpdf/*` or `@libpdf/core`. Evaluated:
 *  - `@signpdf/signpdf` + `@signpdf/placeholder-pdf-lib` places the placeholder by rewriting the
 *    document with pdf-lib (breaks earlier signatures, so no B-LTA after signing), and its signers
 *    build CMS with node-forge, which has no signing-certificate-v2, no unsigned attributes and no
 *    external (card) signer hook: we would replace every part of it but the ByteRange arithmetic.
 *  - `@libpdf/core` does incremental saves and PAdES levels, but it is young (0.x, API moving),
 *    brings its own PKI stack (pkijs + asn1js + pvtsutils) beside the @peculiar and forge ones
 *    the repo already has, and its signer interface is one `sign(data)` call: the card's
 *    prepare → PIN → sign → complete flow would have to be held open inside it across the UI.
 *  - `pkijs` alone covers CMS but not PDF structure; `@peculiar/asn1-cms` would add a schema layer
 *    the CA code deliberately does without (der.ts).
 * What PAdES needs from PDF structure is small (read the xref chain, append objects and a new
 * xref section, fill a placeholder), and the verifier must parse incremental updates itself anyway
 * to tell DSS updates from other changes, so one reader serves both. pdf-lib may produce the
 * unsigned contract; nothing here rewrites a file.
 */
import { CardDeskError } from '../../../shared/errors';
import { parseCertificate } from '../../ca/certificate-reader';
import { OID } from '../../ca/oids';
import type { Timestamper } from '../../ca/timestamp-authority';
import { attribute, buildSignedData, ecdsaToDer, sha256, signatureAlgorithmFor, signedAttributes } from './cms';
import { appendUpdate, ObjectAllocator, type UpdateObject } from './incremental-writer';
import { PdfFile } from './pdf-file';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfSyntaxError, pdfDate, textString } from './pdf-syntax';
import { fillContents, placeSignatureField, signedParts, type PlacedField } from './signature-field';

export type { Timestamper } from '../../ca/timestamp-authority';

export interface SignatureRequest {
  readonly fieldName: string;
  /** DER of the signer's certificate (the card's 9C certificate). */
  readonly signerCertificate: Buffer;
  /** DER of the issuing CA and its issuers, nearest first; embedded in the CMS. */
  readonly chain: readonly Buffer[];
  /** The claimed signing time, written as /M (PAdES puts no signing-time attribute in the CMS). */
  readonly signingTime: Date;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  /** Room reserved for the CMS, bytes (default 24 KiB: chain, signature and time-stamp token). */
  readonly contentsSize?: number;
}

export interface PreparedSignature {
  /** The DER SET OF signed attributes: what the key signs (hashing it with SHA-256). */
  readonly toBeSigned: Buffer;
  /** SHA-256 of `toBeSigned`, for a card that signs a prepared digest. */
  readonly digest: Buffer;
  /** RSA PKCS#1 v1.5 with SHA-256, or ECDSA with SHA-256 (P-256 or P-384), from the certificate. */
  readonly algorithm: 'rsaPkcs1v15Sha256' | 'ecdsaSha256';
  /** The ByteRange the signature will cover. */
  readonly byteRange: readonly [number, number, number, number];
  /**
   * Embeds the CMS with `signatureValue` (RSA: the PKCS#1 block; ECDSA: DER or r||s) and, with a
   * timestamper, a signature-time-stamp over it (B-T). Returns the signed document.
   */
  complete(signatureValue: Buffer, timestamper: Timestamper | null): Promise<Buffer>;
}

const DEFAULT_CONTENTS = 24 * 1024;

function malformedPdf(error: unknown): never {
  if (error instanceof PdfSyntaxError) throw new CardDeskError('MALFORMED_INPUT', `The PDF cannot be read: ${error.message}.`, { cause: error });
  throw error;
}

/** Phase one: the field, the placeholder and the signed attributes the card must sign. */
export async function prepareSignature(pdf: Buffer, request: SignatureRequest): Promise<PreparedSignature> {
  const signer = parseCertificate(request.signerCertificate);
  const algorithm = signatureAlgorithmFor(signer);
  const entries = new PdfDict()
    .set('Type', new PdfName('Sig'))
    .set('Filter', new PdfName('Adobe.PPKLite'))
    .set('SubFilter', new PdfName('ETSI.CAdES.detached'))
    .set('M', textString(pdfDate(request.signingTime)));
  if (request.reason !== undefined) entries.set('Reason', textString(request.reason));
  if (request.location !== undefined) entries.set('Location', textString(request.location));
  if (request.contactInfo !== undefined) entries.set('ContactInfo', textString(request.contactInfo));
  let field: PlacedField;
  try {
    field = await placeSignatureField(pdf, request.fieldName, entries, request.contentsSize ?? DEFAULT_CONTENTS);
  } catch (error) {
    malformedPdf(error);
  }
  const toBeSigned = signedAttributes({ contentType: OID.pkcs7Data, messageDigest: sha256(signedParts(field)), signer });
  const certificates = [request.signerCertificate, ...request.chain];
  return {
    toBeSigned,
    digest: sha256(toBeSigned),
    algorithm: algorithm.kind === 'rsa' ? 'rsaPkcs1v15Sha256' : 'ecdsaSha256',
    byteRange: field.byteRange,
    async complete(signatureValue, timestamper) {
      const signature = algorithm.kind === 'ecdsa' ? ecdsaToDer(signatureValue, algorithm.fieldBytes) : signatureValue;
      // ETSI EN 319 122-1 §5.3: the signature-time-stamp covers the signature value.
      const unsigned = timestamper === null ? [] : [attribute(OID.signatureTimeStampToken, await timestamper(sha256(signature)))];
      const cms = buildSignedData({ eContentType: OID.pkcs7Data, eContent: null, certificates, signer, signedAttributes: toBeSigned, algorithm, signature, unsignedAttributes: unsigned });
      return fillContents(field, cms);
    },
  };
}

/** B-LTA: a document time-stamp (SubFilter ETSI.RFC3161) over everything so far. */
export async function addDocumentTimestamp(pdf: Buffer, timestamper: Timestamper, options: { fieldName?: string; contentsSize?: number } = {}): Promise<Buffer> {
  const entries = new PdfDict().set('Type', new PdfName('DocTimeStamp')).set('Filter', new PdfName('Adobe.PPKLite')).set('SubFilter', new PdfName('ETSI.RFC3161'));
  let field: PlacedField;
  try {
    field = await placeSignatureField(pdf, options.fieldName ?? `DocumentTimestamp${Date.now()}`, entries, options.contentsSize ?? 12 * 1024);
  } catch (error) {
    malformedPdf(error);
  }
  return fillContents(field, await timestamper(sha256(signedParts(field))));
}

export interface ValidationData {
  readonly certificates: readonly Buffer[];
  readonly crls: readonly Buffer[];
  readonly ocspResponses: readonly Buffer[];
}

/**
 * B-LT: the Document Security Store (ETSI EN 319 142-1 §5.4.2) with the certificates, CRLs and
 * OCSP responses, merged with any DSS already there. No VRI: it is optional and EN 319 142-1
 * V1.2 advises against relying on it; a verifier searches the DSS as a whole.
 */
export async function addValidationData(pdf: Buffer, data: ValidationData): Promise<Buffer> {
  try {
    const file = await PdfFile.open(pdf);
    const view = file.view();
    const catalog = view.catalog();
    const allocator = new ObjectAllocator(file);
    const objects: UpdateObject[] = [];
    const existing = view.dict(catalog.dict.get('DSS'));
    const seen = new Set<string>();
    const list = (key: string, added: readonly Buffer[]): PdfRef[] => {
      const before = view.resolve(existing?.get(key) ?? null);
      const refs = Array.isArray(before) ? before.filter((v): v is PdfRef => v instanceof PdfRef) : [];
      for (const ref of refs) {
        const stream = view.resolve(ref);
        if (stream instanceof PdfStream) seen.add(sha256(stream.data).toString('hex'));
      }
      for (const der of added) {
        const hash = sha256(der).toString('hex');
        if (seen.has(hash)) continue;
        seen.add(hash);
        const ref = allocator.next();
        objects.push({ ref, value: new PdfStream(new PdfDict(), der) });
        refs.push(ref);
      }
      return refs;
    };
    const dss = new PdfDict(new Map(existing?.entries ?? [])).set('Type', new PdfName('DSS'));
    dss.set('Certs', list('Certs', data.certificates)).set('CRLs', list('CRLs', data.crls)).set('OCSPs', list('OCSPs', data.ocspResponses));
    const dssValue = catalog.dict.get('DSS');
    if (dssValue instanceof PdfRef) objects.push({ ref: dssValue, value: dss });
    else {
      const ref = allocator.next();
      objects.push({ ref, value: dss }, { ref: catalog.ref, value: new PdfDict(new Map(catalog.dict.entries)).set('DSS', ref) });
    }
    return appendUpdate(file, objects, allocator).bytes;
  } catch (error) {
    return malformedPdf(error);
  }
}
