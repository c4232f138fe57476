/**
 * A contract signed by a card, checked by tools CardDesk did not write: poppler's pdfsig (with an
 * NSS database trusting only the desk's root), openssl cms and openssl ts. One card is issued under
 * the holderSigns policy and activated with the PIN from its letter (the virtual card in memory
 * signs with its 9C key: PAdES B-LTA); the same contract is then tampered with, its signature
 * certificate revoked, and the file given to the built `carddesk contract verify` (build first:
 * `node scripts/build.mjs`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PdfVerifyReport } from '../../electron/shared/schemas/contracts';
import { carddesk } from '../support/cli';
import { nssTrusting, pdfsig, pem, revisionEnds, signaturesIn, signerInfoOf, type FoundSignature } from '../support/contract-tools';
import { blankCard, letterText, lifecycleRig, READER, secretsIn, type LifecycleRig } from '../support/lifecycle-rig';
import { openssl } from '../support/openssl';
import { operator } from '../support/vault-fixtures';

let rig: LifecycleRig;
let closed = false;
let dir: string;
let nss: string;
/** Root then issuing CA, PEM: what openssl may trust. */
let chainFile: string;
let signed: Buffer;
let signedFile: string;
let cardSerial: string;

const write = (name: string, bytes: Buffer | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carddesk-contract-tools-'));
  rig = await lifecycleRig();
  await rig.lifecycle.updatePolicy({ activation: 'holderSigns' }, operator);
  const holder = await rig.newHolder(1, { firstName: 'Blerta', lastName: 'Krasniqi-Çela', language: 'sq' });
  rig.card = await blankCard();
  const issued = await rig.issuer.issue({ reader: READER, holderId: holder.id }, operator);
  if (!issued.ok) throw new Error(`issuance stopped at ${issued.step}: ${issued.reason}`);
  expect(issued.cardState).toBe('awaitingActivation');
  const { pin } = secretsIn(letterText(rig, issued.letters[0]!.fileName));
  const activated = await rig.activation.activate(READER, Buffer.from(pin), operator);
  if (!activated.ok) throw new Error(`activation refused: ${activated.reason}`);
  cardSerial = issued.serial;
  expect((await rig.contracts.get(issued.contractId)).status).toBe('signed');
  signed = Buffer.from((await rig.contracts.document(issued.contractId, 'download', operator)).base64, 'base64');
  signedFile = write('signed.pdf', signed);
  const [issuing, root] = rig.vault.ca.chain();
  nss = nssTrusting(root!);
  chainFile = write('chain.pem', pem(root!) + pem(issuing!));
}, 60_000);

afterAll(async () => {
  if (!closed) await rig?.close();
  for (const path of [dir, nss]) if (path !== undefined) rmSync(path, { recursive: true, force: true });
});

/** The holder's signature and the document time-stamp, read by our own small parser. */
function twoSignatures(pdf: Buffer): { holder: FoundSignature; archive: FoundSignature } {
  const found = signaturesIn(pdf);
  expect(found).toHaveLength(2);
  return { holder: found[0]!, archive: found[1]! };
}

/** One byte of the first page's content stream (well inside the holder's signed range) flipped. */
function tampered(pdf: Buffer, range: [number, number, number, number]): { bytes: Buffer; offset: number } {
  const text = pdf.toString('latin1');
  const page = /\/Type\s*\/Page\b(?!s)[^]*?\/Contents\s*\[?\s*(\d+)\s+0\s+R/.exec(text);
  if (page === null) throw new Error('no page with a content stream');
  const object = new RegExp(`(?:^|[\\r\\n])${page[1]} 0 obj[^]*?stream\\r?\\n`).exec(text);
  if (object === null) throw new Error(`no object ${page[1]}`);
  const streamStart = object.index + object[0].length;
  const offset = streamStart + 20;
  expect(offset).toBeLessThan(text.indexOf('endstream', streamStart));
  const bytes = Buffer.from(pdf);
  bytes[offset] = bytes[offset]! ^ 0x01;
  // Inside the first signed range, not in /Contents.
  expect(offset).toBeLessThan(range[0] + range[1]);
  expect(bytes.equals(pdf)).toBe(false);
  return { bytes, offset };
}

const holderReport = (report: PdfVerifyReport) => report.signatures.find((s) => !s.documentTimestamp);

describe('a contract signed by the card, checked with pdfsig and openssl', () => {
  it('pdfsig trusts the holder signature, which covers everything up to the DSS update; the document time-stamp covers the whole file', () => {
    const { holder, archive } = twoSignatures(signed);
    const [a, b, c, d] = holder.byteRange;
    expect(a).toBe(0);
    // The revisions: the unsigned contract, the holder signature, the DSS update, the document time-stamp.
    const ends = revisionEnds(signed);
    expect(ends.at(-1)).toBe(signed.length);
    const dssUpdate = ends.indexOf(holder.end);
    expect(dssUpdate, `holder signature ends at ${holder.end}, revisions end at ${ends.join(', ')}`).toBeGreaterThan(0);
    const dssStart = ends[dssUpdate]!;
    const dssEnd = ends[dssUpdate + 1]!;
    const dssText = signed.subarray(dssStart, dssEnd).toString('latin1');
    expect(dssText).toMatch(/\/Type\s*\/DSS\b/);
    expect(dssText).not.toContain('/ByteRange');
    // Every byte before the DSS update is signed, except the /Contents hex string itself.
    expect(c + d).toBe(dssStart);
    expect(signed.subarray(b, c).toString('latin1')).toMatch(/^<[0-9a-fA-F]+>$/);
    // The document time-stamp follows the DSS update and signs the whole file.
    expect(archive.byteRange[0]).toBe(0);
    expect(archive.byteRange[1]).toBeGreaterThan(dssEnd);
    expect(archive.end).toBe(signed.length);

    const checked = pdfsig(signedFile, nss);
    expect(checked.code, checked.output).toBe(0);
    expect(checked.signatures, checked.output).toHaveLength(2);
    const [first, second] = checked.signatures as [(typeof checked.signatures)[0], (typeof checked.signatures)[0]];
    expect(first.lines, checked.output).toContain('Signature Field Name: HolderSignature');
    expect(first.lines).toContain('Signature Type: ETSI.CAdES.detached');
    expect(first.lines).toContain('Signature Validation: Signature is Valid.');
    expect(first.lines).toContain('Certificate Validation: Certificate is Trusted.');
    expect(first.lines).toContain('Not total document signed');
    expect(first.lines).toContain(`Signed Ranges: [${a} - ${a + b}], [${c} - ${c + d}]`);
    const [, ab, ac, ad] = archive.byteRange;
    expect(second.lines).toContain('Total document signed');
    expect(second.lines).toContain(`Signed Ranges: [0 - ${ab}], [${ac} - ${ac + ad}]`);
    // pdfsig 22.12 does not validate ETSI.RFC3161; openssl ts checks the document time-stamp instead.
    const token = write('archive-token.der', archive.der);
    const data = write('archive-signed.bin', archive.signed);
    const ts = openssl('ts', '-verify', '-in', token, '-token_in', '-data', data, '-CAfile', chainFile);
    expect(ts.code, ts.stdout + ts.stderr).toBe(0);
    expect(ts.stdout).toContain('Verification: OK');
  });

  it('openssl cms verifies the holder signature over the signed ranges, detached, to the desk root', () => {
    const { holder } = twoSignatures(signed);
    const cms = write('holder.p7s', holder.der);
    const content = write('holder-signed.bin', holder.signed);
    const ok = openssl('cms', '-verify', '-binary', '-inform', 'DER', '-in', cms, '-content', content, '-CAfile', chainFile, '-purpose', 'any', '-out', '/dev/null');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stderr).toContain('Verification successful');
    // The same signature over other bytes must fail (the check can fail).
    const other = Buffer.from(holder.signed);
    other[100] = other[100]! ^ 0x01;
    const bad = openssl('cms', '-verify', '-binary', '-inform', 'DER', '-in', cms, '-content', write('holder-other.bin', other), '-CAfile', chainFile, '-purpose', 'any', '-out', '/dev/null');
    expect(bad.code).not.toBe(0);
    // And it must reach the desk's root: trusting only an unrelated certificate is not enough.
    const strangerFile = join(dir, 'stranger.pem');
    const made = openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'stranger.key'), '-subj', '/CN=Stranger Root', '-days', '1', '-out', strangerFile);
    expect(made.code, made.stderr).toBe(0);
    const stranger = openssl('cms', '-verify', '-binary', '-inform', 'DER', '-in', cms, '-content', content, '-CAfile', strangerFile, '-purpose', 'any', '-out', '/dev/null');
    expect(stranger.code).not.toBe(0);
  });

  it("openssl ts verifies the signature time-stamp token over the holder's signature value", () => {
    const { holder } = twoSignatures(signed);
    const { signature, timeStampToken } = signerInfoOf(holder.der);
    expect(timeStampToken, 'id-aa-signatureTimeStampToken in the unsigned attributes').not.toBeNull();
    const token = write('holder-token.der', timeStampToken!);
    const ok = openssl('ts', '-verify', '-in', token, '-token_in', '-data', write('signature-value.bin', signature), '-CAfile', chainFile);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Verification: OK');
    const other = Buffer.from(signature);
    other[0] = other[0]! ^ 0x01;
    const bad = openssl('ts', '-verify', '-in', token, '-token_in', '-data', write('signature-other.bin', other), '-CAfile', chainFile);
    expect(bad.code).not.toBe(0);
  });

  it('one byte changed in the page content: pdfsig reports a digest mismatch and CardDesk says the signature is modified', async () => {
    const { holder } = twoSignatures(signed);
    const { bytes } = tampered(signed, holder.byteRange);
    const file = write('tampered.pdf', bytes);
    const checked = pdfsig(file, nss);
    const first = checked.signatures[0];
    expect(first?.lines, checked.output).toContain('Signature Field Name: HolderSignature');
    expect(first?.lines).not.toContain('Signature Validation: Signature is Valid.');
    expect(first?.lines.find((l) => l.startsWith('Signature Validation:')), checked.output).toMatch(/Digest Mismatch/i);

    const report = await rig.contracts.verifyBytes(bytes);
    const mine = holderReport(report);
    expect(mine?.integrity).toBe('modified');
    expect(mine?.verdict).toBe('invalid');
    // The untouched file still verifies, so it is the byte that made the difference.
    expect(holderReport(await rig.contracts.verifyBytes(signed))?.integrity).toBe('intact');
  });

  it("after the card's signature certificate is revoked, CardDesk says the contract was valid at signing time and when it was revoked", async () => {
    const before = holderReport(await rig.contracts.verifyBytes(signed));
    expect(before?.verdict).toBe('valid');
    expect(before?.revocation.now).toBe('good');
    const nineC = rig.vault.certificates.forCard(cardSerial).find((c) => c.profile === 'signature');
    if (nineC === undefined) throw new Error('no signature certificate for the card');
    expect(before?.signer?.serialNumber.replace(/^0+/, '')).toBe(nineC.serial.toUpperCase().replace(/^0+/, ''));
    rig.travel(1);
    try {
      const revoked = await rig.vault.certificates.revoke(nineC.serial, 'keyCompromise', operator);
      expect(revoked.ok).toBe(true);
    } finally {
      rig.travel(0);
    }
    const record = rig.vault.certificates.forCard(cardSerial).find((c) => c.profile === 'signature');
    expect(record?.status).toBe('revoked');

    const report = await rig.contracts.verifyBytes(signed);
    const after = holderReport(report);
    expect(after?.integrity).toBe('intact');
    expect(after?.timestamp?.valid).toBe(true);
    expect(after?.revocation).toMatchObject({ now: 'revoked', atSigningTime: 'good', reason: 'keyCompromise', source: 'desk' });
    expect(after?.revocation.revokedAt).toBe(new Date(record!.revokedAt!).toISOString());
    expect(new Date(after!.revocation.revokedAt!).getTime()).toBeGreaterThan(new Date(after!.timestamp!.time).getTime());
    expect(after?.verdict).toBe('validAtSigningTime');
  });

  it('carddesk contract verify prints the report and exits 0 for the signed contract, 2 for the tampered one, 2 for a non-PDF, 1 for a missing file', async () => {
    // The CLI opens the vault itself, so the desk here lets go of it first (the certificate is revoked by now).
    await rig.close();
    closed = true;
    const good = await carddesk(['contract', 'verify', signedFile], { home: rig.home });
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/Signature 1: HolderSignature — VALID AT SIGNING TIME/);
    expect(good.stdout).toMatch(/Signature 2: ArchiveTimestamp — VALID\n/);
    expect(good.stdout).toMatch(/Revocation: +now revoked \(since [0-9T:.-]+Z, keyCompromise\); at signing time good/);
    expect(good.stdout).toContain('the signed bytes are unchanged');

    const { holder } = twoSignatures(signed);
    const bad = await carddesk(['contract', 'verify', write('tampered-cli.pdf', tampered(signed, holder.byteRange).bytes)], { home: rig.home });
    expect(bad.code, bad.stdout + bad.stderr).toBe(2);
    expect(bad.stdout).toMatch(/Signature 1: HolderSignature — INVALID/);
    expect(bad.stdout).toContain('the signed bytes were MODIFIED');

    // Not a PDF: a report that says so, and "not valid" (2), as the command documents.
    const notPdf = await carddesk(['contract', 'verify', write('letter.txt', 'Dear holder, this is not a PDF.\n')], { home: rig.home });
    expect(notPdf.code, notPdf.stdout + notPdf.stderr).toBe(2);
    expect(notPdf.stdout).toContain('cannot be read as a PDF');
    // No file at all: an error (1).
    const missing = await carddesk(['contract', 'verify', join(dir, 'no-such.pdf')], { home: rig.home });
    expect(missing.code, missing.stdout + missing.stderr).toBe(1);
  });
});
