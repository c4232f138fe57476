/**
 * Reading a signed PDF the way an outside checker would, without CardDesk's PDF parser: the
 * signatures' ByteRanges and /Contents, the incremental updates (each ending at a %%EOF line), and
 * a small DER walk to cut the CMS out of its zero padding and find one attribute. Plus an NSS
 * database that trusts one root, for poppler's pdfsig.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from './openssl';

export interface FoundSignature {
  /** [offset, length, offset, length] as written in the file. */
  readonly byteRange: [number, number, number, number];
  /** Where the signed bytes end (offset + length of the second range). */
  readonly end: number;
  /** The DER in /Contents, its zero padding cut off by its own length. */
  readonly der: Buffer;
  /** The signed bytes, both ranges joined. */
  readonly signed: Buffer;
}

/** Every `/ByteRange [a b c d]` in the file with the /Contents it points around, in order of where its signed bytes end. */
export function signaturesIn(pdf: Buffer): FoundSignature[] {
  const text = pdf.toString('latin1');
  const found: FoundSignature[] = [];
  for (const match of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const [a, b, c, d] = match.slice(1, 5).map(Number) as [number, number, number, number];
    if (pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e) throw new Error(`the gap of ByteRange [${a} ${b} ${c} ${d}] is not a hex string`);
    const hex = pdf.subarray(b + 1, c - 1).toString('latin1').replace(/\s+/g, '');
    const padded = Buffer.from(hex, 'hex');
    found.push({ byteRange: [a, b, c, d], end: c + d, der: padded.subarray(0, derLength(padded, 0).total), signed: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]) });
  }
  return found.sort((x, y) => x.end - y.end);
}

/** Offsets just past each `%%EOF` end-of-line: where one revision ends and the next update starts. */
export function revisionEnds(pdf: Buffer): number[] {
  const text = pdf.toString('latin1');
  const ends: number[] = [];
  for (const match of text.matchAll(/%%EOF(\r\n|\r|\n)?/g)) ends.push(match.index + match[0].length);
  return ends;
}

// ---- DER ------------------------------------------------------------------------------------------

interface Tlv {
  readonly tag: number;
  /** Offset of the content. */
  readonly start: number;
  readonly length: number;
  /** Header plus content. */
  readonly total: number;
}

function derLength(der: Buffer, at: number): Tlv {
  const tag = der[at];
  const first = der[at + 1];
  if (tag === undefined || first === undefined) throw new Error('DER ends early');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (der[at + 2 + i] ?? 0);
    header += count;
  }
  if (at + header + length > der.length) throw new Error('DER element longer than its buffer');
  return { tag, start: at + header, length, total: header + length };
}

function childrenOf(der: Buffer, parent: Tlv): { tlv: Tlv; at: number }[] {
  const out: { tlv: Tlv; at: number }[] = [];
  let at = parent.start;
  while (at < parent.start + parent.length) {
    const tlv = derLength(der, at);
    out.push({ tlv, at });
    at += tlv.total;
  }
  return out;
}

const OID_SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex');
/** id-aa-signatureTimeStampToken, 1.2.840.113549.1.9.16.2.14. */
const OID_SIGNATURE_TIME_STAMP_TOKEN = Buffer.from('060b2a864886f70d010910020e', 'hex');

/** The single SignerInfo of a CMS SignedData: its signature value and its unsigned attributes (OID DER → first value's DER). */
export function signerInfoOf(cms: Buffer): { signature: Buffer; timeStampToken: Buffer | null } {
  const top = derLength(cms, 0);
  const [type, wrapper] = childrenOf(cms, top);
  if (type === undefined || wrapper === undefined || !cms.subarray(type.at, type.at + type.tlv.total).equals(OID_SIGNED_DATA)) throw new Error('not a CMS SignedData');
  const signedData = childrenOf(cms, wrapper.tlv)[0];
  if (signedData === undefined) throw new Error('empty SignedData');
  const fields = childrenOf(cms, signedData.tlv);
  const signerInfos = fields.at(-1);
  if (signerInfos?.tlv.tag !== 0x31) throw new Error('no SignerInfos');
  const infos = childrenOf(cms, signerInfos.tlv);
  if (infos.length !== 1) throw new Error(`${infos.length} signers`);
  const parts = childrenOf(cms, infos[0]!.tlv);
  // version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature, [1] unsignedAttrs?
  const signatureAt = parts.findIndex((p, i) => i >= 4 && p.tlv.tag === 0x04);
  const signature = parts[signatureAt];
  if (signature === undefined) throw new Error('no signature value');
  let timeStampToken: Buffer | null = null;
  const unsigned = parts[signatureAt + 1];
  if (unsigned?.tlv.tag === 0xa1) {
    for (const attribute of childrenOf(cms, unsigned.tlv)) {
      const [oid, values] = childrenOf(cms, attribute.tlv);
      if (oid === undefined || values === undefined) continue;
      if (!cms.subarray(oid.at, oid.at + oid.tlv.total).equals(OID_SIGNATURE_TIME_STAMP_TOKEN)) continue;
      const first = childrenOf(cms, values.tlv)[0];
      if (first !== undefined) timeStampToken = Buffer.from(cms.subarray(first.at, first.at + first.tlv.total));
    }
  }
  return { signature: Buffer.from(cms.subarray(signature.tlv.start, signature.tlv.start + signature.tlv.length)), timeStampToken };
}

// ---- files and tools ------------------------------------------------------------------------------

export function pem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A new NSS database (sql:) that trusts `root` for signatures; pdfsig reads it with -nssdir. */
export function nssTrusting(root: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'carddesk-nss-'));
  const rootFile = join(dir, 'root.pem');
  writeFileSync(rootFile, pem(root));
  for (const args of [
    ['-N', '--empty-password', '-d', `sql:${dir}`],
    ['-A', '-n', 'root', '-t', 'CT,C,C', '-i', rootFile, '-d', `sql:${dir}`],
  ]) {
    const run = tool('certutil', args);
    if (run.code !== 0) throw new Error(`certutil ${args.join(' ')} failed: ${run.stderr}`);
  }
  return dir;
}

export interface PdfsigSignature {
  readonly number: number;
  /** The lines after "Signature #n:", without their "  - ". */
  readonly lines: string[];
  readonly text: string;
}

/** pdfsig's answer, split per signature. */
export function pdfsig(file: string, nssDir: string): { code: number | null; output: string; signatures: PdfsigSignature[] } {
  const run = tool('pdfsig', ['-nssdir', `sql:${nssDir}`, file]);
  const output = `${run.stdout}${run.stderr}`;
  const signatures = run.stdout.split(/^Signature #/m).slice(1).map((block) => {
    const number = Number(/^(\d+):/.exec(block)?.[1]);
    const lines = block.split('\n').slice(1).map((l) => l.replace(/^\s*-\s*/, '').trim()).filter((l) => l !== '');
    return { number, lines, text: block };
  });
  return { code: run.code, output, signatures };
}
