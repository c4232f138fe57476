/**
 * Verifies every signature and document time-stamp of a PDF into the shared PdfVerifyReport
 * (electron/shared/schemas/contracts.ts): integrity over the ByteRange, what changed after each
 * signed range, the path to the trust anchors, the time-stamp, and the revocation status now and
 * at the signing time. Runs in the core process without pdf.js. A broken file is a report with
 * readable:false and the problem, never an exception.
 */
import { createHash } from 'node:crypto';
import type { CertificateBrief, PdfSignatureReport, PdfVerifyReport } from '../../../shared/schemas/contracts';
import type { ParsedCertificate } from '../../ca/certificate-reader';
import { readTlv } from '../../ca/der';
import { OID } from '../../ca/oids';
import { changesAfter, type AfterSigning } from './after-signing';
import { buildPath } from './certificate-path';
import { checkSigner, findSignerCertificate, readSignedData } from './cms';
import { PdfFile, type ObjectView } from './pdf-file';
import { parsePdfDate, PdfDict, PdfRef, PdfStream, PdfString } from './pdf-syntax';
import { fromCrl, fromOcsp, generalizedTime } from './revocation-data';
import { checkToken, type TokenCheck } from './timestamp-token';

type RevocationState = PdfSignatureReport['revocation']['now'];

export interface CertificateStatus {
  readonly state: RevocationState;
  /** ISO 8601, or null when not revoked. */
  readonly revokedAt: string | Date | null;
  readonly reason: string | null;
}

export interface VerifyOptions {
  /** DER of the roots (the desk's root) a path must reach. */
  readonly trustAnchors: readonly Buffer[];
  /** The desk's own answer for a certificate it issued (DER in); unknown for others. */
  readonly statusNow?: (certificate: Buffer) => Promise<CertificateStatus>;
  /** "Now" for expiry (tests); the current time otherwise. */
  readonly at?: Date;
}

interface FoundSignature {
  readonly dict: PdfDict;
  readonly fieldName: string;
}

interface Dss {
  readonly certificates: Buffer[];
  readonly crls: Buffer[];
  readonly ocsps: Buffer[];
  /** Object number of the DSS, to see whether it came after a signature. */
  readonly num: number | null;
}

const brief = (c: ParsedCertificate): CertificateBrief => ({ subject: c.subject, issuer: c.issuer, serialNumber: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() });

function findSignatures(view: ObjectView): FoundSignature[] {
  const names = new Map<number, string>();
  const sigs = new Map<number, PdfDict>();
  for (const num of view.entries.keys()) {
    let value;
    try {
      value = view.object(num);
    } catch {
      continue; // an unreadable object is not a signature; the signature's own checks catch what matters
    }
    if (!(value instanceof PdfDict)) continue;
    if (value.get('ByteRange') !== undefined && value.get('Contents') !== undefined) sigs.set(num, value);
    const v = value.get('V');
    if (v instanceof PdfRef) {
      const t = value.get('T');
      names.set(v.num, t instanceof PdfString ? t.text() : `Signature${v.num}`);
    }
  }
  return [...sigs].map(([num, dict]) => ({ dict, fieldName: names.get(num) ?? `Signature${num}` }));
}

function readDss(view: ObjectView): Dss {
  const empty: Dss = { certificates: [], crls: [], ocsps: [], num: null };
  try {
    const value = view.catalog().dict.get('DSS');
    const dss = view.dict(value);
    if (dss === null) return empty;
    const list = (key: string): Buffer[] => {
      const arr = view.resolve(dss.get(key) ?? null);
      if (!Array.isArray(arr)) return [];
      return arr.flatMap((ref) => {
        const s = view.resolve(ref);
        return s instanceof PdfStream && s.dict.get('Filter') === undefined ? [Buffer.from(s.data)] : [];
      });
    };
    return { certificates: list('Certs'), crls: list('CRLs'), ocsps: list('OCSPs'), num: value instanceof PdfRef ? value.num : null };
  } catch {
    return empty;
  }
}

function byteRangeOf(dict: PdfDict): [number, number, number, number] | null {
  const range = dict.get('ByteRange');
  if (!Array.isArray(range) || range.length !== 4 || !range.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return null;
  return range as [number, number, number, number];
}

/** The DER inside /Contents without its zero padding. */
function contentsDer(dict: PdfDict): Buffer {
  const contents = dict.get('Contents');
  if (!(contents instanceof PdfString)) throw new Error('no /Contents');
  return Buffer.from(readTlv(contents.bytes).raw);
}

export async function verifyPdf(pdf: Buffer, options: VerifyOptions): Promise<PdfVerifyReport> {
  const base = { sha256: createHash('sha256').update(pdf).digest('hex'), byteLength: pdf.length };
  let file: PdfFile;
  let found: FoundSignature[];
  let view: ObjectView;
  try {
    file = await PdfFile.open(pdf);
    view = file.view();
    view.catalog();
    found = findSignatures(view);
  } catch (error) {
    return { ...base, signatures: [], readable: false, problem: `The file cannot be read as a PDF: ${error instanceof Error ? error.message : String(error)}` };
  }
  const dss = readDss(view);
  const ordered = found
    .map((f) => ({ ...f, range: byteRangeOf(f.dict) }))
    .sort((a, b) => (a.range === null ? Infinity : a.range[2] + a.range[3]) - (b.range === null ? Infinity : b.range[2] + b.range[3]));
  const dssOffset = dss.num === null ? null : dssRevisionOffset(file, dss.num);
  const reports: PdfSignatureReport[] = [];
  const problems: string[] = [];
  for (const sig of ordered) {
    try {
      reports.push(await verifyOne(pdf, file, sig.dict, sig.fieldName, sig.range, dss, options));
    } catch (error) {
      problems.push(`${sig.fieldName}: ${error instanceof Error ? error.message : String(error)}`);
      reports.push(malformedReport(sig.fieldName, sig.dict, sig.range));
    }
  }
  // Levels: B-LT when a DSS follows the signature, B-LTA when a valid document time-stamp follows that DSS.
  const ends = ordered.map((s) => (s.range === null ? 0 : s.range[2] + s.range[3]));
  reports.forEach((report, i) => {
    if (report.documentTimestamp || report.level === null || report.level === 'B-B' || dssOffset === null) return;
    if (dssOffset < (ends[i] ?? 0)) return;
    const lta = reports.some((r, j) => r.documentTimestamp && r.integrity === 'intact' && (ends[j] ?? 0) > dssOffset);
    reports[i] = { ...report, level: lta ? 'B-LTA' : 'B-LT' };
  });
  return { ...base, signatures: reports, readable: problems.length === 0, problem: problems.length === 0 ? null : problems.join('; ') };
}

/** Where the section that last defined the DSS starts. */
function dssRevisionOffset(file: PdfFile, num: number): number | null {
  for (let i = file.sections.length - 1; i >= 0; i -= 1) {
    const s = file.sections[i];
    if (s !== undefined && s.entries.has(num)) return s.offset;
  }
  return null;
}

function malformedReport(fieldName: string, dict: PdfDict, range: [number, number, number, number] | null): PdfSignatureReport {
  return {
    fieldName,
    documentTimestamp: dict.name('Type') === 'DocTimeStamp' || dict.name('SubFilter') === 'ETSI.RFC3161',
    subFilter: dict.name('SubFilter') ?? '',
    level: null,
    signer: null,
    claimedSigningTime: null,
    timestamp: null,
    integrity: 'malformed',
    byteRange: range ?? [0, 0, 0, 0],
    afterSigning: 'changed',
    chain: { status: 'incomplete', certificates: [] },
    revocation: { now: 'unknown', atSigningTime: 'unknown', revokedAt: null, reason: null, source: 'none' },
    verdict: 'invalid',
  };
}

async function verifyOne(pdf: Buffer, file: PdfFile, dict: PdfDict, fieldName: string, range: [number, number, number, number] | null, dss: Dss, options: VerifyOptions): Promise<PdfSignatureReport> {
  const subFilter = dict.name('SubFilter') ?? '';
  const documentTimestamp = dict.name('Type') === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161';
  const malformed = malformedReport(fieldName, dict, range);
  if (range === null) return malformed;
  const [a, b, c, d] = range;
  // The gap must be exactly the /Contents hex string, and the ranges inside the file.
  if (a !== 0 || b >= c || c + d > pdf.length || pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e) return malformed;
  const parts = [pdf.subarray(a, a + b), pdf.subarray(c, c + d)];
  let afterSigning: AfterSigning;
  try {
    afterSigning = changesAfter(file, c + d);
  } catch {
    afterSigning = 'changed';
  }
  const m = dict.get('M');
  let claimed = m instanceof PdfString ? parsePdfDate(m.text()) : null;
  const der = contentsDer(dict);
  const pool = [...dss.certificates];
  let signer: ParsedCertificate | null;
  let integrity: PdfSignatureReport['integrity'];
  let token: TokenCheck | null = null;
  if (documentTimestamp) {
    token = checkToken(der, parts, pool, options.trustAnchors);
    signer = token.authority;
    integrity = signer === null ? 'malformed' : token.imprintMatches && token.signatureValid ? 'intact' : 'modified';
  } else if (subFilter === 'ETSI.CAdES.detached' || subFilter === 'adbe.pkcs7.detached') {
    const cms = readSignedData(der);
    pool.push(...cms.certificates);
    signer = findSignerCertificate(cms.signer, pool);
    if (signer === null) return { ...malformed, afterSigning };
    const check = checkSigner(cms.signer, signer, parts);
    integrity = check.digestMatches && check.signatureValid ? 'intact' : 'modified';
    const signingTimeAttr = cms.signer.attributes.get(OID.signingTime)?.[0];
    if (claimed === null && signingTimeAttr !== undefined) claimed = generalizedTime(signingTimeAttr);
    const tst = cms.signer.unsignedAttributes.get(OID.signatureTimeStampToken)?.[0];
    if (tst !== undefined) {
      try {
        token = checkToken(Buffer.from(tst.raw), [cms.signer.signature], pool, options.trustAnchors);
      } catch {
        token = { time: null, authority: null, imprintMatches: false, signatureValid: false, trusted: false, certificates: [] };
      }
    }
  } else {
    return { ...malformed, afterSigning }; // other SubFilters (adbe.pkcs7.sha1, x509.rsa_sha1) are not read
  }
  if (token !== null) pool.push(...token.certificates);
  if (signer === null) return { ...malformed, afterSigning };
  const timestampValid = token !== null && token.imprintMatches && token.signatureValid;
  const timestamp =
    token === null ? null : { time: token.time?.toISOString() ?? '', authority: token.authority?.subject ?? '', valid: timestampValid, trusted: token.trusted && timestampValid };
  const path = buildPath(signer, pool, options.trustAnchors);
  const provenTime = timestampValid && token?.trusted === true ? token.time : null;
  const signingTime = provenTime ?? claimed;
  const revocation = await revocationOf(signer, path.certificates[1] ?? null, signingTime, dss, options);
  const now = options.at ?? new Date();

  let verdict: PdfSignatureReport['verdict'];
  if (integrity !== 'intact' || afterSigning === 'changed' || (token !== null && !timestampValid)) verdict = 'invalid';
  else if (path.status !== 'trusted') verdict = 'indeterminate';
  else if (signingTime !== null && (signingTime < signer.notBefore || signingTime > signer.notAfter)) verdict = 'invalid';
  else if (revocation.now === 'revoked' || revocation.now === 'onHold') {
    verdict = revocation.atSigningTime === 'good' && provenTime !== null ? 'validAtSigningTime' : 'invalid';
  } else if (now > signer.notAfter) verdict = provenTime !== null ? 'validAtSigningTime' : 'indeterminate';
  else if (revocation.now === 'unknown') verdict = 'indeterminate';
  else verdict = 'valid';

  return {
    fieldName,
    documentTimestamp,
    subFilter,
    level: documentTimestamp ? null : token === null ? 'B-B' : 'B-T',
    signer: brief(signer),
    claimedSigningTime: documentTimestamp ? (token?.time?.toISOString() ?? null) : (claimed?.toISOString() ?? null),
    timestamp,
    integrity,
    byteRange: [a, b, c, d],
    afterSigning,
    chain: { status: path.status, certificates: path.certificates.map(brief) },
    revocation,
    verdict,
  };
}

async function revocationOf(cert: ParsedCertificate, issuer: ParsedCertificate | null, signingTime: Date | null, dss: Dss, options: VerifyOptions): Promise<PdfSignatureReport['revocation']> {
  let state: RevocationState = 'unknown';
  let revokedAt: Date | null = null;
  let reason: string | null = null;
  let source: PdfSignatureReport['revocation']['source'] = 'none';
  if (options.statusNow !== undefined) {
    const answer = await options.statusNow(cert.der);
    state = answer.state;
    revokedAt = answer.revokedAt === null ? null : new Date(answer.revokedAt);
    reason = answer.reason;
    source = 'desk';
  } else if (issuer !== null) {
    const findings = [...dss.ocsps.map((o) => fromOcsp(o, cert, issuer)), ...dss.crls.map((c) => fromCrl(c, cert, issuer))].filter((f) => f !== null);
    const finding = findings.find((f) => f.state !== 'good' && f.state !== 'unknown') ?? findings.find((f) => f.state === 'good') ?? findings[0];
    if (finding !== undefined) ({ state, revokedAt, reason, source } = finding);
  }
  let atSigningTime: RevocationState = state;
  if ((state === 'revoked' || state === 'onHold') && revokedAt !== null && signingTime !== null && revokedAt > signingTime) atSigningTime = 'good';
  return { now: state, atSigningTime, revokedAt: revokedAt?.toISOString() ?? null, reason, source };
}

