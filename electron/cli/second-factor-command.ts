/**
 * `carddesk holder totp enrol|remove` and `carddesk otp-token import|assign|unassign|list`: the
 * holder's second factor (issue 15 §4, §5, §7). Enrolment prints the otpauth URI and its QR code
 * on the terminal (for the holder's app to scan), then asks for one code to confirm it.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import QRCode from 'qrcode';
import type { OtpImportReport } from '../shared/schemas/account-second-factor';
import { SecondFactorService } from '../core/account/second-factor';
import { PSKC_MAX_BYTES } from '../core/account/pskc';
import type { VaultServices } from '../core/vault/vault-services';
import type { CliContext } from './cli-context';
import { printJson, unlockVault, withVault } from './vault-session';

function serviceOf(services: VaultServices): SecondFactorService {
  return new SecondFactorService({ access: services.access, keyring: services.keyring, audit: services.audit, directory: services.directory });
}

/** The pre-shared key from a file: hex text (32, 48 or 64 digits) or the raw 16, 24 or 32 bytes. */
function readKeyFile(path: string): Buffer {
  const raw = readFileSync(resolve(path));
  const textual = raw.toString('latin1').trim();
  if (/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/.test(textual)) {
    raw.fill(0);
    return Buffer.from(textual, 'hex');
  }
  if ([16, 24, 32].includes(raw.length)) return raw;
  raw.fill(0);
  throw new Error('the key file holds neither a hex AES key (32, 48 or 64 hex digits) nor 16, 24 or 32 raw bytes');
}

const outcomeWords: Readonly<Record<OtpImportReport['keys'][number]['outcome'], string>> = {
  imported: 'imported',
  accepted: 'good, but not imported (another key was refused)',
  duplicate: 'refused: a token with this serial is imported already',
  noSerial: 'refused: no usable serial number (DeviceInfo/SerialNo)',
  hotpNotSupported: 'refused: HOTP (counter-based) tokens are not supported, only TOTP',
  unsupportedAlgorithm: 'refused: not a TOTP key with HMAC-SHA1, SHA256 or SHA512',
  unsupportedEncoding: 'refused: the response is not decimal digits',
  badDigits: 'refused: the code length is not 6 to 8 digits',
  badTimeStep: 'refused: the time step is not 1 to 600 seconds',
  noSecret: 'refused: no secret',
  keyRequired: 'refused: the secret is encrypted and no key was given',
  macMismatch: "refused: the secret's MAC does not match (altered, or the wrong key)",
  decryptFailed: 'refused: the secret does not decrypt with this key',
  unsupportedEncryption: 'refused: the secret is encrypted with an algorithm other than AES-CBC',
  badSecret: 'refused: the secret is shorter than 80 or longer than 1024 bits',
  duplicateInFile: 'refused: the serial appears twice in the file',
};

const fileWords: Readonly<Record<NonNullable<OtpImportReport['fileProblem']>, string>> = {
  notXml: 'the file is not well-formed XML',
  doctypeRefused: 'the file carries a DOCTYPE or entity declaration, which PSKC does not use',
  notPskc: 'the file is not a PSKC key container (RFC 6030)',
  tooLarge: 'the file is larger than 8 MB',
  noKeys: 'the file holds no key packages',
  keyRequired: "the file's secrets are encrypted: give the vendor's pre-shared key with --key-file",
  wrongKey: 'the pre-shared key is wrong, or the file was altered (its MAC does not match)',
  unsupportedEncryption: 'the file is protected in a way CardDesk does not take (only a pre-shared AES-CBC key)',
  unsupportedMac: "the file's MAC algorithm is not supported",
  badKey: 'the key is not an AES key',
};

export function registerSecondFactorCommands(program: Command, cli: CliContext): void {
  const holder = program.commands.find((command) => command.name() === 'holder') ?? program.command('holder');
  const totp = holder.command('totp').description("the holder's authenticator app (TOTP second factor)");

  totp
    .command('enrol')
    .argument('<holder>', 'id, personal number or user number')
    .option('--issuer <name>', 'the issuer the app shows', 'CardDesk')
    .description('enrol an authenticator app: prints the otpauth URI and its QR code, then asks for one code')
    .action((reference: string, o: { issuer: string }) =>
      withVault(cli, async (services) => {
        await unlockVault(cli, services);
        const found = services.directory.find(reference);
        const factor = new SecondFactorService({ access: services.access, keyring: services.keyring, audit: services.audit, directory: services.directory, issuer: () => o.issuer });
        const enrolment = await factor.begin(found.id, cli.operation);
        cli.out(`${await QRCode.toString(enrolment.uri, { type: 'terminal', small: true })}\n`);
        cli.out(`${enrolment.uri}\n`);
        cli.out(`Secret (for typing into the app): ${enrolment.secret}\n`);
        const code = (await cli.secrets.read('Code shown by the app: ', { echo: true })).toString('utf8').trim();
        if (!/^\d{6}$/.test(code)) throw new Error('the code is 6 digits; the enrolment stays pending (run enrol again)');
        const result = await factor.confirm(found.id, code, cli.operation);
        if (!result.ok) throw new Error(`the code was not accepted (${result.reason}); the enrolment stays pending (run enrol again)`);
        cli.out(`Enrolled: ${found.lastName}, ${found.firstName} (${found.userNumber}) uses an authenticator app.\n`);
      }),
    );

  totp
    .command('remove')
    .argument('<holder>', 'id, personal number or user number')
    .requiredOption('--reason <text>', 'why (recorded)')
    .description("remove the holder's second factor (app or token)")
    .action((reference: string, o: { reason: string }) =>
      withVault(cli, async (services) => {
        if (o.reason.trim().length < 3) throw new Error('give a reason of at least 3 characters');
        const found = services.directory.find(reference);
        await serviceOf(services).remove(found.id, o.reason, cli.operation);
        cli.out(`Removed the second factor of ${found.lastName}, ${found.firstName} (${found.userNumber}).\n`);
      }),
    );

  const token = program.command('otp-token').description('hardware OATH tokens (TOTP) imported from PSKC files');

  token
    .command('import')
    .argument('<file>', 'a PSKC file (RFC 6030)')
    .option('--key-file <file>', "the vendor's pre-shared key: hex, or the raw bytes")
    .option('--json', 'print the report as JSON')
    .description('import token seeds: every key or none, with a line per key')
    .action((file: string, o: { keyFile?: string; json?: boolean }) =>
      withVault(cli, async (services) => {
        const path = resolve(file);
        if (statSync(path).size > PSKC_MAX_BYTES) throw new Error('the file is larger than 8 MB');
        const xml = readFileSync(path, 'utf8');
        const key = o.keyFile === undefined ? null : readKeyFile(o.keyFile);
        let report: OtpImportReport;
        try {
          await unlockVault(cli, services);
          report = await serviceOf(services).importTokens(xml, key, cli.operation);
        } finally {
          key?.fill(0);
        }
        if (o.json === true) printJson(cli, report);
        else for (const entry of report.keys) cli.out(`${entry.serial || '(no serial)'}  ${outcomeWords[entry.outcome]}\n`);
        if (report.fileProblem !== null) throw new Error(`nothing was imported: ${fileWords[report.fileProblem]}`);
        if (!report.ok) throw new Error('nothing was imported: some keys were refused (see above)');
        if (o.json !== true) cli.out(`${report.imported} token(s) imported\n`);
      }),
    );

  token
    .command('assign')
    .argument('<serial>', "the token's serial")
    .argument('<holder>', 'id, personal number or user number')
    .description('assign a token to a holder as their second factor')
    .action((serial: string, reference: string) =>
      withVault(cli, async (services) => {
        const found = services.directory.find(reference);
        await serviceOf(services).assignToken(serial, found.id, cli.operation);
        cli.out(`Token ${serial} assigned to ${found.lastName}, ${found.firstName} (${found.userNumber}).\n`);
      }),
    );

  token
    .command('unassign')
    .argument('<serial>', "the token's serial")
    .description('take a token from its holder (the holder then has no second factor)')
    .action((serial: string) =>
      withVault(cli, async (services) => {
        await serviceOf(services).assignToken(serial, null, cli.operation);
        cli.out(`Token ${serial} is not assigned.\n`);
      }),
    );

  token
    .command('list')
    .option('--json', 'print machine-readable JSON')
    .description('list imported tokens and their holders')
    .action((o: { json?: boolean }) =>
      withVault(cli, (services) => {
        const tokens = serviceOf(services).tokens();
        if (o.json === true) printJson(cli, tokens);
        else {
          for (const t of tokens) {
            const owner = t.holderId === null ? '-' : services.directory.get(t.holderId).userNumber;
            cli.out(`${t.serial.padEnd(20)}  ${t.algorithm.padEnd(6)}  ${t.digits} digits  ${String(t.period).padStart(3)}s  ${owner}\n`);
          }
          cli.out(`${tokens.length} token(s)\n`);
        }
        return Promise.resolve();
      }),
    );
}
