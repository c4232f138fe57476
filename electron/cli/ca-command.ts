/** `carddesk ca init|import|issue|renew|revoke|suspend|resume|crl|ocsp|export|list|status`. */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { CaAlgorithmSchema, CaInitArgsSchema, type CaStatus } from '../shared/schemas/ca';
import {
  AfterHoldSchema,
  CertificateFormatSchema,
  CertificateProfileSchema,
  CertificateStatusSchema,
  RevocationReasonSchema,
  SubjectAltNameSchema,
  type CertificateSummary,
  type SubjectAltName,
} from '../shared/schemas/certificates';
import { exportCertificate } from '../core/ca/export';
import { checkPublicBaseUrl, proposedBaseUrl } from '../core/ca/public-urls';
import type { VaultServices } from '../core/vault/vault-services';
import type { CliContext } from './cli-context';
import { FORCE_HELP, PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, writeOutputFile } from './output-file';
import { positiveInteger } from './parse-options';
import { printJson, unlockVault, withVault } from './vault-session';

function san(value: string, previous: SubjectAltName[] = []): SubjectAltName[] {
  const at = value.indexOf(':');
  const parsed = SubjectAltNameSchema.safeParse({ type: value.slice(0, at), value: value.slice(at + 1) });
  if (at <= 0 || !parsed.success) throw new InvalidArgumentError('use type:value with type email, upn, dns, uri or ip');
  return [...previous, parsed.data];
}

function summaryLine(c: CertificateSummary): string {
  const state = c.status === 'suspended' ? `suspended until ${c.holdUntil ?? '?'}` : c.status === 'revoked' ? `revoked (${c.reason ?? 'unspecified'})` : c.status;
  return `${c.serial}  ${c.profile.padEnd(14)}  ${state.padEnd(12)}  expires ${c.notAfter.slice(0, 10)}  ${c.subject}${c.holderName === null ? '' : `  [${c.holderName}]`}\n`;
}

function formatCaStatus(status: CaStatus): string {
  if (!status.ready) return 'There is no certificate authority yet: carddesk ca init, or carddesk ca import.\n';
  const lines = status.certificates.map((c) => `${c.role.padEnd(8)} ${c.subject}  serial ${c.serial}  ${c.keyAlgorithm}  until ${c.notAfter.slice(0, 10)}`);
  const crl = status.lastCrl === null ? 'none yet' : `#${status.lastCrl.number}, ${status.lastCrl.entries} entries, next update ${status.lastCrl.nextUpdate}`;
  const storage = status.keyStorage === 'pkcs11' ? 'on a PKCS#11 token (non-extractable)' : 'sealed in the vault';
  const published =
    status.publicBaseUrl === null
      ? ['Published base URL: none (certificates carry no CRL or OCSP address)']
      : [`Published base URL: ${status.publicBaseUrl}`, `  CRL:  ${status.crlUrl ?? ''}`, `  OCSP: ${status.ocspUrl ?? ''}`, `  CA certificate: ${status.caIssuersUrl ?? ''}`];
  return [...lines, `Last CRL: ${crl}`, `CRLs are published to ${status.publishDir}`, ...published, `CA keys: ${storage}`, ''].join('\n');
}

/** stdout, or the --out file: 0644 for CA certificates (published), 0600 for a holder's certificate. */
async function output(cli: CliContext, target: { out?: string; force?: boolean }, data: Buffer | string, mode: number): Promise<void> {
  if (target.out === undefined) cli.out(typeof data === 'string' ? data : data.toString('base64') + '\n');
  else await writeOutputFile(resolve(target.out), data, { mode, force: target.force });
}

async function onStatusChange(cli: CliContext, services: VaultServices, change: () => Promise<{ ok: true; certificate: CertificateSummary } | { ok: false; reason: string }>): Promise<void> {
  await unlockVault(cli, services);
  const result = await change();
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  cli.out(summaryLine(result.certificate));
  cli.out(`CRLs published to ${services.ca.publishDir}\n`);
}

const enumOption = (flags: string, description: string, values: readonly string[]) => new Option(flags, description).choices(values);

/** --base-url as given, none with --no-base-url, else the one proposed from the host name. */
function baseUrlOf(option: string | false | undefined): string | null {
  if (option === false) return null;
  if (option !== undefined) return checkPublicBaseUrl(option);
  const proposed = proposedBaseUrl();
  if (proposed === null) throw new Error(`this machine's host name (${hostname()}) is a loopback name: give the published address with --base-url http://<name>:<port>/ (or --no-base-url)`);
  return proposed;
}

export function registerCaCommand(program: Command, cli: CliContext): void {
  const ca = program.command('ca').description('the certificate authority: create, issue, revoke, CRL, OCSP');

  ca.command('init')
    .description('create a root CA and an issuing CA (asks for the vault passphrase)')
    .addOption(enumOption('--algorithm <algorithm>', 'key algorithm', CaAlgorithmSchema.options).default('p384'))
    .option('--root-name <dn>', 'root CA name', 'CN=CardDesk Root CA, O=CardDesk')
    .option('--issuing-name <dn>', 'issuing CA name', 'CN=CardDesk Issuing CA, O=CardDesk')
    .option('--root-years <n>', 'root validity in years', positiveInteger, 20)
    .option('--issuing-years <n>', 'issuing CA validity in years', positiveInteger, 10)
    .option('--base-url <url>', 'published base URL: issued certificates name its CRL, OCSP and CA certificate addresses (default: from this machine’s host name; never a loopback address)')
    .option('--no-base-url', 'issue certificates without CRL and OCSP addresses')
    .option('--pkcs11-module <path>', 'generate the CA keys non-extractable on a PKCS#11 token (asks for its PIN)')
    .option('--pkcs11-token <label>', 'the token’s label (with --pkcs11-module)')
    .action((o: { algorithm: string; rootName: string; issuingName: string; rootYears: number; issuingYears: number; baseUrl?: string | false; pkcs11Module?: string; pkcs11Token?: string }) =>
      withVault(cli, async (services) => {
        const options = CaInitArgsSchema.parse({
          algorithm: o.algorithm,
          rootSubject: o.rootName,
          issuingSubject: o.issuingName,
          rootValidityYears: o.rootYears,
          issuingValidityYears: o.issuingYears,
          publicBaseUrl: baseUrlOf(o.baseUrl),
        });
        if ((o.pkcs11Module === undefined) !== (o.pkcs11Token === undefined)) throw new Error('give both --pkcs11-module and --pkcs11-token, or neither');
        await unlockVault(cli, services);
        if (o.pkcs11Module === undefined || o.pkcs11Token === undefined) await services.ca.init(options, cli.operation);
        else {
          const pin = await cli.secrets.read('Token PIN: ');
          try {
            await services.ca.init(options, cli.operation, { module: resolve(o.pkcs11Module), tokenLabel: o.pkcs11Token, pin });
          } finally {
            pin.fill(0);
          }
        }
        await services.crl.publish(cli.operation);
        cli.out(formatCaStatus(services.ca.status(services.ocsp.state())));
      }),
    );

  ca.command('import')
    .argument('<file>', 'PKCS#12 file with the CA key and certificate (and its chain)')
    .description('import an existing CA (asks for the PKCS#12 password, then the vault passphrase)')
    .option('--base-url <url>', 'published base URL for the CRL, OCSP and CA certificate addresses (default: from this machine’s host name)')
    .option('--no-base-url', 'issue certificates without CRL and OCSP addresses')
    .action((file: string, o: { baseUrl?: string | false }) =>
      withVault(cli, async (services) => {
        const data = readFileSync(resolve(file));
        const password = await cli.secrets.read('PKCS#12 password: ');
        try {
          await unlockVault(cli, services);
          await services.ca.import(data, password.toString('utf8'), { publicBaseUrl: baseUrlOf(o.baseUrl) }, cli.operation);
        } finally {
          password.fill(0);
        }
        await services.crl.publish(cli.operation);
        cli.out(formatCaStatus(services.ca.status(services.ocsp.state())));
      }),
    );

  ca.command('issue')
    .description('issue a certificate from a CSR or a public key (asks for the vault passphrase)')
    .addOption(enumOption('--profile <profile>', 'certificate profile', CertificateProfileSchema.options).makeOptionMandatory())
    .option('--csr <file>', 'PKCS#10 request (PEM)')
    .option('--public-key <file>', 'public key (PEM), for keys generated on a card')
    .option('--holder <reference>', 'holder id, personal number or user number')
    .option('--card <serial>', 'card serial the key lives on')
    .option('--subject <dn>', 'subject name (default: from the holder, else from the CSR)')
    .option('--san <type:value>', 'subject alternative name (repeatable; default: from the holder)', san)
    .option('--days <n>', 'validity in days', positiveInteger)
    .option('--out <file>', 'write the certificate (PEM) here instead of stdout (mode 0600)')
    .option('--force', FORCE_HELP)
    .action((o: { profile: string; csr?: string; publicKey?: string; holder?: string; card?: string; subject?: string; san?: SubjectAltName[]; days?: number; out?: string; force?: boolean }) =>
      withVault(cli, async (services) => {
        const source = o.csr ?? o.publicKey;
        if (source === undefined || (o.csr !== undefined && o.publicKey !== undefined)) throw new Error('give exactly one of --csr and --public-key');
        const holderId = o.holder === undefined ? null : services.directory.find(o.holder).id;
        await unlockVault(cli, services);
        const issued = await services.certificates.issue(
          {
            profile: CertificateProfileSchema.parse(o.profile),
            request: readFileSync(resolve(source), 'utf8'),
            holderId,
            cardSerial: o.card ?? null,
            subject: o.subject ?? '',
            subjectAltNames: o.san,
            validityDays: o.days,
          },
          cli.operation,
        );
        process.stderr.write(`Issued ${issued.serial} (${issued.profile}) to ${issued.subject}\n`);
        await output(cli, o, services.certificates.detail(issued.serial).pem, PRIVATE_FILE_MODE);
      }),
    );

  ca.command('renew')
    .argument('<serial>', 'the certificate to renew')
    .option('--csr <file>', 'a new request (default: certify the same public key again)')
    .option('--days <n>', 'validity in days', positiveInteger)
    .option('--out <file>', 'write the new certificate (PEM) here instead of stdout (mode 0600)')
    .option('--force', FORCE_HELP)
    .description('issue a successor with the same holder, profile, subject and names')
    .action((serial: string, o: { csr?: string; days?: number; out?: string; force?: boolean }) =>
      withVault(cli, async (services) => {
        await unlockVault(cli, services);
        const renewed = await services.certificates.renew(serial, o.csr === undefined ? null : readFileSync(resolve(o.csr), 'utf8'), o.days, cli.operation);
        process.stderr.write(`Renewed ${serial} as ${renewed.serial}\n`);
        await output(cli, o, services.certificates.detail(renewed.serial).pem, PRIVATE_FILE_MODE);
      }),
    );

  ca.command('revoke')
    .argument('<serial>')
    .addOption(enumOption('--reason <reason>', 'RFC 5280 reason', RevocationReasonSchema.options).default('unspecified'))
    .description('revoke a certificate and publish CRLs')
    .action((serial: string, o: { reason: string }) =>
      withVault(cli, (services) => onStatusChange(cli, services, () => services.certificates.revoke(serial, RevocationReasonSchema.parse(o.reason), cli.operation))),
    );

  ca.command('suspend')
    .argument('<serial>')
    .option('--days <n>', 'length of the hold, at most 30 days', positiveInteger, 30)
    .addOption(enumOption('--then <action>', 'what happens when the hold ends', AfterHoldSchema.options).default('release'))
    .description('put a certificate on hold (certificateHold) and publish CRLs')
    .action((serial: string, o: { days: number; then: string }) =>
      withVault(cli, (services) => onStatusChange(cli, services, () => services.certificates.suspend(serial, o.days, AfterHoldSchema.parse(o.then), cli.operation))),
    );

  ca.command('resume')
    .argument('<serial>')
    .description('end a hold early and publish CRLs')
    .action((serial: string) => withVault(cli, (services) => onStatusChange(cli, services, () => services.certificates.resume(serial, cli.operation))));

  ca.command('crl')
    .option('--out <dir>', 'publish to this folder instead of the vault’s crl folder (files mode 0644)')
    .option('--force', 'replace the CRL and certificate files already in that folder')
    .description('publish a full CRL and a delta CRL (asks for the vault passphrase)')
    .action((o: { out?: string; force?: boolean }) =>
      withVault(cli, async (services) => {
        await unlockVault(cli, services);
        const result = await services.crl.publish(cli.operation, o.out === undefined ? undefined : { dir: resolve(o.out), force: o.force === true });
        cli.out(`Full CRL #${result.full.number} (${result.full.entries} entries), delta CRL #${result.delta.number} (${result.delta.entries} entries)\n`);
        for (const file of result.files) cli.out(`  ${file}\n`);
      }),
    );

  ca.command('base-url')
    .argument('<url>', 'the new published base URL (never a loopback address)')
    .description('change the published base URL: certificates issued from now on carry its CRL and OCSP addresses (asks for the vault passphrase)')
    .action((url: string) =>
      withVault(cli, async (services) => {
        await unlockVault(cli, services);
        await services.ca.setPublicBaseUrl(url, cli.operation);
        cli.out(formatCaStatus(services.ca.status(services.ocsp.state())));
      }),
    );

  ca.command('ocsp')
    .option('--port <n>', 'port on 127.0.0.1', positiveInteger, 2560)
    .description('run the OCSP responder on 127.0.0.1 until interrupted (asks for the vault passphrase)')
    .action((o: { port: number }) =>
      withVault(cli, async (services) => {
        await unlockVault(cli, services);
        const state = await services.ocsp.start(o.port, cli.operation);
        // The responder has its own key now; the CA keys are forgotten.
        services.keyring.lock();
        // Ready to be stopped before it says it is listening.
        const stopped = new Promise<void>((done) => {
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
        cli.out(`OCSP responder listening on http://127.0.0.1:${state.port ?? o.port}/ (Ctrl+C to stop)\n`);
        await stopped;
        await services.ocsp.stop(cli.operation);
      }),
    );

  ca.command('export')
    .argument('[serial]', 'the certificate (omit with --ca)')
    .option('--ca', 'export the issuing CA certificate and its chain')
    .addOption(enumOption('--format <format>', 'file format', CertificateFormatSchema.options).default('pem'))
    .option('--out <file>', 'write here instead of stdout (DER and PKCS#7 are binary: use --out); mode 0644 with --ca, else 0600')
    .option('--force', FORCE_HELP)
    .description('export a certificate as PEM, DER or PKCS#7 with its chain')
    .action((serial: string | undefined, o: { ca?: boolean; format: string; out?: string; force?: boolean }) =>
      withVault(cli, async (services) => {
        const format = CertificateFormatSchema.parse(o.format);
        if (format !== 'pem' && o.out === undefined) throw new Error(`--format ${format} is binary: give --out <file>`);
        let file: { data: Buffer };
        if (o.ca === true) {
          const [issuing = Buffer.alloc(0), ...rest] = services.ca.chain();
          file = exportCertificate(issuing, rest, format, 'issuing-ca');
        } else if (serial !== undefined) file = await services.certificates.download(serial, format, cli.operation);
        else throw new Error('name a serial, or --ca');
        await output(cli, o, format === 'pem' ? file.data.toString('utf8') : file.data, o.ca === true ? PUBLIC_FILE_MODE : PRIVATE_FILE_MODE);
      }),
    );

  ca.command('list')
    .option('--query <text>', 'words to look for (serial, subject, holder, card)', '')
    .addOption(enumOption('--status <status>', 'only this status', CertificateStatusSchema.options))
    .addOption(enumOption('--profile <profile>', 'only this profile', CertificateProfileSchema.options))
    .option('--holder <reference>', 'only this holder’s certificates')
    .option('--expiring <days>', 'only those expiring within this many days', positiveInteger)
    .option('--limit <n>', 'at most this many', positiveInteger, 100)
    .option('--json', 'print machine-readable JSON')
    .description('list issued certificates, soonest expiry first')
    .action((o: { query: string; status?: string; profile?: string; holder?: string; expiring?: number; limit: number; json?: boolean }) =>
      withVault(cli, (services) => {
        const list = services.certificates.list({
          query: o.query,
          status: o.status === undefined ? undefined : CertificateStatusSchema.parse(o.status),
          profile: o.profile === undefined ? undefined : CertificateProfileSchema.parse(o.profile),
          holderId: o.holder === undefined ? undefined : services.directory.find(o.holder).id,
          expiringWithinDays: o.expiring,
          offset: 0,
          limit: o.limit,
        });
        if (o.json === true) printJson(cli, list);
        else {
          for (const item of list.items) cli.out(summaryLine(item));
          cli.out(`${list.total} certificate(s)\n`);
        }
        return Promise.resolve();
      }),
    );

  ca.command('status')
    .option('--json', 'print machine-readable JSON')
    .description('show the CA certificates and the last CRL')
    .action((o: { json?: boolean }) =>
      withVault(cli, (services) => {
        const status = services.ca.status(services.ocsp.state());
        if (o.json === true) printJson(cli, status);
        else cli.out(formatCaStatus(status));
        return Promise.resolve();
      }),
    );
}
