/**
 * `carddesk mobile enroll|reenroll`: the reference client, acting as the holder's phone (issue 16 §5).
 * It makes the keys, checks the CA the QR code pins, enrols over EST and keeps each certificate
 * with its key as an encrypted PKCS#12 in a folder. The desk's own `mobile` commands (issue, list,
 * lock, …) live elsewhere; this file only adds these two to the same group.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { CardDeskError } from '../shared/errors';
import { parseCertificate } from '../core/ca/certificate-reader';
import { fromPem } from '../core/ca/der';
import {
  buildPkcs12,
  CA_CHAIN_FILE,
  chainPem,
  KEY_TYPES,
  MOBILE_ID_FILE,
  mobileIdJson,
  p12FileName,
  prepareOutputDir,
  readMobileIdFile,
  readPkcs12Certificates,
  writeStoreFile,
  type KeyType,
  type MobileIdFile,
} from '../core/mobile/client-store';
import { buildCsr, checkIssued, EstClient, enrollInvitation, generateKey, LABEL_NAMES, PartialEnrollmentError, pinnedChain, type Enrollment } from '../core/mobile/est-client';
import { formatEnrollmentUri, MOBILE_LABELS, parseEnrollmentUri, type EnrollmentInvitation, type MobileLabel } from '../core/mobile/enrollment-uri';
import { readInvitationFile } from '../core/mobile/qr-image';
import { equalSecrets } from '../smartcard/constant-time';
import type { CliContext } from './cli-context';
import { FORCE_HELP } from './output-file';

const PASSPHRASE_ENV = 'CARDDESK_P12_PASSPHRASE';
/** The escrowed encryption key(s) the desk gave (recoverKey), under the same passphrase as the other files. */
export const RECOVERED_KEY_FILE = 'recovered-enc.p12';
const MIN_PASSPHRASE = 8;

interface EnrollOptions {
  qr?: string;
  url?: string;
  code?: string;
  id?: string;
  caSha256?: string;
  labels?: string;
  recoverKey?: boolean;
  keyType: KeyType;
  out: string;
  p12PassphraseFile?: string;
  force?: boolean;
}

interface ReenrollOptions {
  dir: string;
  label?: string;
  keyType?: KeyType;
  p12PassphraseFile?: string;
}

/** The invitation from --qr, or from --url/--code/--id/--ca-sha256/--labels (checked as the QR code's URI would be). */
async function invitationOf(o: EnrollOptions): Promise<EnrollmentInvitation> {
  const byHand = [o.url, o.code, o.id, o.caSha256, o.labels, o.recoverKey].some((value) => value !== undefined);
  if (o.qr !== undefined) {
    if (byHand) throw new InvalidArgumentError('give either --qr, or --url with --code, --id and --ca-sha256, not both');
    return readInvitationFile(await readFile(resolve(o.qr)));
  }
  if (o.url === undefined || o.code === undefined || o.id === undefined || o.caSha256 === undefined) {
    throw new InvalidArgumentError('give --qr FILE, or --url URL --code CODE --id MOBILE-ID --ca-sha256 HEX (and --labels auth,sign,enc)');
  }
  const uri = formatEnrollmentUri({
    estUrl: o.url,
    code: o.code,
    mobileId: o.id,
    caSha256: o.caSha256.toLowerCase().replace(/:/g, ''),
    labels: (o.labels ?? 'auth').split(',').map((label) => label.trim()) as MobileLabel[],
    recoverKey: o.recoverKey === true,
  });
  return parseEnrollmentUri(uri);
}

/**
 * The PKCS#12 passphrase: from --p12-passphrase-file (its first line), from CARDDESK_P12_PASSPHRASE,
 * or asked (twice at a terminal when it protects new files). A Buffer the caller zeroes; never printed.
 */
async function readP12Passphrase(cli: CliContext, file: string | undefined, confirm: boolean): Promise<Buffer> {
  let passphrase: Buffer;
  if (file !== undefined) {
    const content = await readFile(resolve(file));
    const end = content.findIndex((byte) => byte === 0x0a || byte === 0x0d);
    passphrase = Buffer.from(end < 0 ? content : content.subarray(0, end));
    content.fill(0);
  } else if (process.env[PASSPHRASE_ENV] !== undefined) {
    passphrase = Buffer.from(process.env[PASSPHRASE_ENV] ?? '', 'utf8');
  } else {
    passphrase = await cli.secrets.read('PKCS#12 passphrase: ');
    if (confirm && cli.secrets.interactive) {
      const again = await cli.secrets.read('Repeat it: ');
      const same = equalSecrets(again, passphrase);
      again.fill(0);
      if (!same) {
        passphrase.fill(0);
        throw new Error('the two passphrases differ; nothing was enrolled');
      }
    }
  }
  if (confirm && passphrase.toString('utf8').length < MIN_PASSPHRASE) {
    passphrase.fill(0);
    throw new Error(`the PKCS#12 passphrase must be at least ${MIN_PASSPHRASE} characters`);
  }
  return passphrase;
}

function labelLine(label: MobileLabel, serial: string, notAfter: string, file: string): string {
  return `${label.padEnd(5)} ${LABEL_NAMES[label].padEnd(15)} serial ${serial}  until ${notAfter.slice(0, 10)}  ${file}\n`;
}

/** Writes the p12 of each enrolled label, then ca-chain.pem, then mobile-id.json (last, so it names only files that exist). */
async function storeEnrollment(dir: string, invitation: EnrollmentInvitation, keyType: KeyType, enrollment: Enrollment, passphrase: Buffer, replace: boolean): Promise<MobileIdFile> {
  const record: MobileIdFile = { format: 1, estUrl: invitation.estUrl, mobileId: invitation.mobileId, caSha256: invitation.caSha256, keyType, labels: {} };
  const files = await Promise.all(
    enrollment.enrolled.map(async ({ label, privateKey, certificate }) => ({
      label,
      certificate,
      p12: await buildPkcs12({ privateKey, certificate: certificate.der, chain: enrollment.chain, friendlyName: `CardDesk mobile ID ${invitation.mobileId} ${label}`, passphrase }),
    })),
  );
  await prepareOutputDir(dir);
  for (const { label, certificate, p12 } of files) {
    await writeStoreFile(dir, p12FileName(label), p12, replace);
    record.labels[label] = { serial: certificate.serial, notAfter: certificate.notAfter, file: p12FileName(label) };
  }
  await writeStoreFile(dir, CA_CHAIN_FILE, chainPem(enrollment.chain), replace);
  await writeStoreFile(dir, MOBILE_ID_FILE, mobileIdJson(record), replace);
  return record;
}

/** Refuses before anything is sent when the folder already holds what enrolling would write. */
async function checkOutputFree(dir: string, labels: readonly MobileLabel[], force: boolean, recoverKey: boolean): Promise<void> {
  if (force) return;
  for (const name of [...labels.map(p12FileName), CA_CHAIN_FILE, MOBILE_ID_FILE, ...(recoverKey ? [RECOVERED_KEY_FILE] : [])]) {
    const taken = await readFile(join(dir, name)).then(
      () => true,
      () => false,
    );
    if (taken) throw new CardDeskError('FILE_EXISTS', `${join(dir, name)} already exists; nothing was enrolled (use another --out folder, or --force to replace it).`);
  }
}

async function enroll(cli: CliContext, o: EnrollOptions): Promise<void> {
  const invitation = await invitationOf(o);
  const dir = resolve(o.out);
  await checkOutputFree(dir, invitation.labels, o.force === true, invitation.recoverKey === true);
  // Asked before anything is sent: the one-time code is spent once the desk has answered.
  const passphrase = await readP12Passphrase(cli, o.p12PassphraseFile, true);
  try {
    let enrollment: Enrollment;
    let partial: PartialEnrollmentError | null = null;
    try {
      enrollment = await enrollInvitation(invitation, o.keyType);
    } catch (failure) {
      if (!(failure instanceof PartialEnrollmentError)) throw failure;
      partial = failure;
      enrollment = failure.enrollment;
    }
    const record = await storeEnrollment(dir, invitation, o.keyType, enrollment, passphrase, o.force === true);
    for (const [label, entry] of Object.entries(record.labels) as [MobileLabel, NonNullable<MobileIdFile['labels'][MobileLabel]>][]) {
      cli.out(labelLine(label, entry.serial, entry.notAfter, join(dir, entry.file)));
    }
    if (partial !== null) {
      const kept = enrollment.enrolled.map((e) => LABEL_NAMES[e.label]).join(', ');
      throw new CardDeskError(partial.code, `${partial.message} (The ${kept} certificate${enrollment.enrolled.length > 1 ? 's were' : ' was'} issued before this and is stored in ${dir}.)`);
    }
    if (invitation.recoverKey === true) {
      // Every label is in: the same code now fetches the escrowed key, once.
      const p12 = await new EstClient(invitation.estUrl).recoverKey({ mobileId: invitation.mobileId, code: invitation.code }, passphrase, enrollment.chain);
      const certificates = await readPkcs12Certificates(p12, passphrase);
      await writeStoreFile(dir, RECOVERED_KEY_FILE, p12, o.force === true);
      cli.out(`escrowed encryption keys: ${Math.max(0, certificates.length - enrollment.chain.length)}, in ${join(dir, RECOVERED_KEY_FILE)} (under the same passphrase)\n`);
    }
    cli.out(`Mobile ID ${invitation.mobileId} enrolled; renew with: carddesk mobile reenroll --dir ${dir}\n`);
  } finally {
    passphrase.fill(0);
  }
}

/** The CA certificates kept at enrollment, still ending in the root the QR code pinned. */
async function storedChain(dir: string, record: MobileIdFile): Promise<Buffer[]> {
  const text = await readFile(join(dir, CA_CHAIN_FILE), 'utf8');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const ders = blocks.map((block) => fromPem(block, ['CERTIFICATE'])?.der).filter((der): der is Buffer => der !== undefined);
  return pinnedChain(ders, record.caSha256);
}

async function reenroll(cli: CliContext, o: ReenrollOptions): Promise<void> {
  const dir = resolve(o.dir);
  const record = await readMobileIdFile(dir);
  const enrolledLabels = Object.keys(record.labels) as MobileLabel[];
  if (o.label !== undefined && !enrolledLabels.includes(o.label as MobileLabel)) {
    throw new CardDeskError('NOT_FOUND', `${dir} holds no ${o.label} certificate (it holds ${enrolledLabels.join(', ') || 'none'}).`);
  }
  const labels = o.label === undefined ? enrolledLabels : [o.label as MobileLabel];
  const keyType = o.keyType ?? record.keyType;
  const client = new EstClient(record.estUrl);
  // RFC 7030 §4.1.3: refresh the CA certificates (over TLS verified by the ones kept) before renewing.
  const chain = pinnedChain(await client.caCerts(await storedChain(dir, record)), record.caSha256);
  const passphrase = await readP12Passphrase(cli, o.p12PassphraseFile, false);
  try {
    for (const label of labels) {
      const pfx = await readFile(join(dir, p12FileName(label)));
      const [currentCertificate] = await readPkcs12Certificates(pfx, passphrase);
      if (currentCertificate === undefined) throw new CardDeskError('MALFORMED_INPUT', `${p12FileName(label)} holds no certificate.`);
      const privateKey = await generateKey(keyType);
      // RFC 7030 §4.2.2: a renewal request repeats the current certificate's subject.
      const csr = buildCsr(parseCertificate(currentCertificate).subjectDer, privateKey);
      const der = await client.simpleReenroll(label, csr, { pfx, passphrase }, chain);
      const issued = checkIssued(der, privateKey, chain);
      const p12 = await buildPkcs12({ privateKey, certificate: issued.der, chain, friendlyName: `CardDesk mobile ID ${record.mobileId} ${label}`, passphrase });
      // Replaced only now, after the desk answered: temporary file, then rename.
      await writeStoreFile(dir, p12FileName(label), p12, true);
      record.labels[label] = { serial: issued.serial, notAfter: issued.notAfter, file: p12FileName(label) };
      await writeStoreFile(dir, MOBILE_ID_FILE, mobileIdJson({ ...record, keyType }), true);
      cli.out(labelLine(label, issued.serial, issued.notAfter, join(dir, p12FileName(label))));
    }
    await writeStoreFile(dir, CA_CHAIN_FILE, chainPem(chain), true);
  } finally {
    passphrase.fill(0);
  }
}

const keyTypeOption = (withDefault: boolean): Option => {
  const option = new Option('--key-type <type>', 'the new keys’ type').choices(KEY_TYPES);
  return withDefault ? option.default('ec-p256') : option;
};

export function registerMobileClientCommands(mobile: Command, cli: CliContext): void {
  mobile
    .command('enroll')
    .description('act as the holder’s phone: make keys, check the CA the QR code pins, enrol over EST and store each certificate as PKCS#12 in --out (asks for a PKCS#12 passphrase)')
    .option('--qr <file>', 'the enrollment QR code: a PNG image of it, or a text file holding its carddesk-mobile: URI')
    .option('--url <url>', 'instead of --qr: the EST base URL (https://…/.well-known/est)')
    .option('--code <code>', 'with --url: the one-time code (visible to other users of this machine while it runs: prefer --qr)')
    .option('--id <mobile-id>', 'with --url: the mobile ID')
    .option('--ca-sha256 <hex>', 'with --url: the SHA-256 of the desk’s root CA certificate')
    .option('--labels <list>', 'with --url: the certificates to enrol, from auth,sign,enc (default auth)')
    .option('--recover-key', `with --url: after enrolling, fetch the escrowed encryption key into ${RECOVERED_KEY_FILE} (the QR code says so itself)`)
    .addOption(keyTypeOption(true))
    .requiredOption('--out <dir>', 'folder for <label>.p12, ca-chain.pem and mobile-id.json (made 0700 if missing)')
    .option('--p12-passphrase-file <file>', `read the PKCS#12 passphrase from this file’s first line (else ${PASSPHRASE_ENV}, else asked)`)
    .option('--force', FORCE_HELP)
    .action((o: EnrollOptions) => enroll(cli, o));

  mobile
    .command('reenroll')
    .description('renew the certificates enrolled in --dir with EST simplereenroll, authenticated by the current ones; each PKCS#12 is replaced only after its renewal succeeded')
    .requiredOption('--dir <dir>', 'the folder `mobile enroll --out` wrote')
    .addOption(new Option('--label <label>', 'renew only this certificate').choices(MOBILE_LABELS))
    .addOption(keyTypeOption(false))
    .option('--p12-passphrase-file <file>', `read the PKCS#12 passphrase from this file’s first line (else ${PASSPHRASE_ENV}, else asked)`)
    .action((o: ReenrollOptions) => reenroll(cli, o));
}
