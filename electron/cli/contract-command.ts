/**
 * `carddesk contract list|show|export|verify FILE|template`: the enrollment contracts from a script.
 * `verify` checks any PDF's signatures against the desk's CA and prints what the viewer's signature
 * panel shows; its exit code is 0 when every signature is valid (or valid at signing time), 2 when
 * one is not (or the file has none, or cannot be read), 1 on an error.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ContractStatusSchema, type PdfSignatureReport, type PdfVerifyReport } from '../shared/schemas/contracts';
import { holderLanguages } from '../shared/enums';
import { ReaderHolds } from '../core/cards/reader-holds';
import { createLifecycleServices } from '../core/lifecycle/lifecycle-services';
import type { ContractService } from '../core/contracts/contract-service';
import type { CliContext } from './cli-context';
import { FORCE_HELP, PUBLIC_FILE_MODE, writeOutputFile } from './output-file';
import { positiveInteger } from './parse-options';
import { printJson, unlockVault, withVault } from './vault-session';

const EXIT = { error: 1, invalid: 2 } as const;

/** The contract service over the vault (unlocked when `unlock`), for one command. */
async function withContracts<T>(cli: CliContext, unlock: boolean, work: (contracts: ContractService) => Promise<T>): Promise<T> {
  return withVault(cli, async (vault) => {
    if (unlock) await unlockVault(cli, vault);
    const holds = new ReaderHolds({ connect: () => Promise.reject(new Error('no reader in this command')) });
    return work(createLifecycleServices({ dataDir: cli.dataDir, vault, holds, audit: vault.audit }).contracts);
  });
}

const verdictText: Record<PdfSignatureReport['verdict'], string> = {
  valid: 'VALID',
  validAtSigningTime: 'VALID AT SIGNING TIME',
  invalid: 'INVALID',
  indeterminate: 'INDETERMINATE',
};

const afterText: Record<PdfSignatureReport['afterSigning'], string> = {
  nothing: 'nothing was added after signing',
  validationDataOnly: 'only validation data and time-stamps were added after signing',
  changed: 'the document was CHANGED after signing',
};

/** The signature panel, as text. */
export function verifyReportText(report: PdfVerifyReport): string {
  const lines = [`File: ${report.byteLength} bytes, SHA-256 ${report.sha256}`];
  if (!report.readable) lines.push(`The file cannot be read as a PDF: ${report.problem ?? 'unknown problem'}`);
  if (report.readable && report.signatures.length === 0) lines.push('The file has no signatures.');
  report.signatures.forEach((signature, index) => {
    lines.push('', `Signature ${index + 1}: ${signature.fieldName} — ${verdictText[signature.verdict]}`);
    lines.push(`  Kind:            ${signature.documentTimestamp ? 'document time-stamp' : `signature${signature.level === null ? '' : ` (PAdES ${signature.level})`}`}`);
    if (signature.signer !== null) lines.push(`  Signer:          ${signature.signer.subject}`, `  Certificate:     serial ${signature.signer.serialNumber}, issued by ${signature.signer.issuer}`);
    if (signature.claimedSigningTime !== null) lines.push(`  Signing time:    ${signature.claimedSigningTime} (claimed by the signer)`);
    if (signature.timestamp !== null) lines.push(`  Time-stamp:      ${signature.timestamp.time} by ${signature.timestamp.authority} (${signature.timestamp.valid ? 'valid' : 'NOT valid'}${signature.timestamp.trusted ? '' : ', authority not trusted'})`);
    lines.push(`  Integrity:       ${signature.integrity === 'intact' ? 'the signed bytes are unchanged' : signature.integrity === 'modified' ? 'the signed bytes were MODIFIED' : 'the signature cannot be read'}; ${afterText[signature.afterSigning]}`);
    lines.push(`  Chain:           ${signature.chain.status}${signature.chain.certificates.length === 0 ? '' : `: ${signature.chain.certificates.map((c) => c.subject).join(' → ')}`}`);
    const revocation = signature.revocation;
    lines.push(`  Revocation:      now ${revocation.now}${revocation.revokedAt === null ? '' : ` (since ${revocation.revokedAt}${revocation.reason === null ? '' : `, ${revocation.reason}`})`}; at signing time ${revocation.atSigningTime} (source: ${revocation.source})`);
  });
  return `${lines.join('\n')}\n`;
}

function allValid(report: PdfVerifyReport): boolean {
  return report.readable && report.signatures.length > 0 && report.signatures.every((s) => s.verdict === 'valid' || s.verdict === 'validAtSigningTime');
}

export function registerContractCommand(program: Command, cli: CliContext): void {
  const contract = program.command('contract').description('enrollment contracts: list, show, export, verify any signed PDF, templates');

  contract
    .command('list')
    .description('the contracts, newest first')
    .option('--holder <id>', "one holder's contracts (holder id)")
    .addOption(new Option('--status <status>', 'only contracts in this state').choices(ContractStatusSchema.options))
    .option('--search <text>', 'holder name, card serial or contract id')
    .option('--limit <n>', 'how many', positiveInteger, 100)
    .option('--json', 'print machine-readable JSON')
    .action(async (o: { holder?: string; status?: string; search?: string; limit: number; json?: boolean }) => {
      await withContracts(cli, false, (contracts) => {
        const page = contracts.list({ query: o.search ?? '', offset: 0, limit: o.limit, ...(o.holder === undefined ? {} : { holderId: o.holder }), ...(o.status === undefined ? {} : { status: ContractStatusSchema.parse(o.status) }) });
        if (o.json === true) printJson(cli, page);
        else {
          cli.out(`${page.total} contract(s)\n`);
          for (const c of page.items) cli.out(`${c.id}  ${c.cardSerial.padEnd(12)} ${c.language}  ${c.kind.padEnd(11)} ${c.status.padEnd(17)} ${c.generatedAt.slice(0, 10)}  ${c.holderName}\n`);
        }
        return Promise.resolve();
      });
    });

  contract
    .command('show')
    .description('one contract: holder, card, state, fingerprint, and its signatures')
    .argument('<id>', 'the contract id')
    .option('--json', 'print machine-readable JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      await withContracts(cli, false, async (contracts) => {
        const summary = await contracts.get(id);
        const report = summary.status === 'damaged' ? null : await contracts.verify(id);
        if (o.json === true) return printJson(cli, { contract: summary, signatures: report });
        cli.out(`Contract ${summary.id} (${summary.kind}, ${summary.language}) for ${summary.holderName}, card ${summary.cardSerial}\n`);
        cli.out(`State: ${summary.status}; generated ${summary.generatedAt}; signed ${summary.signedAt ?? 'not yet'}; ${summary.pages} page(s)\nSHA-256 ${summary.sha256}\n`);
        if (report === null) cli.out('The stored file does not match its recorded fingerprint: it is damaged and is not served.\n');
        else cli.out(verifyReportText(report));
      });
    });

  contract
    .command('export')
    .description('write a contract to a file (recorded as a download)')
    .argument('<id>', 'the contract id')
    .requiredOption('--out <file>', 'where to write the PDF')
    .option('--force', FORCE_HELP)
    .action(async (id: string, o: { out: string; force?: boolean }) => {
      await withContracts(cli, false, async (contracts) => {
        const file = await contracts.document(id, 'download', cli.operation);
        await writeOutputFile(o.out, Buffer.from(file.base64, 'base64'), { mode: PUBLIC_FILE_MODE, force: o.force === true });
        cli.out(`${o.out}\n`);
      });
    });

  contract
    .command('verify')
    .description("check any PDF's signatures against the desk's CA (exit 0 valid, 2 invalid, 1 error)")
    .argument('<file>', 'the PDF')
    .option('--json', 'print machine-readable JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const bytes = await readFile(file);
      await withContracts(cli, false, async (contracts) => {
        const report = await contracts.verifyBytes(bytes);
        if (o.json === true) printJson(cli, report);
        else cli.out(verifyReportText(report));
        if (!allValid(report)) process.exitCode = EXIT.invalid;
      });
    });

  const template = contract.command('template').description('the contract templates, one per language');
  const language = new Option('--language <language>', 'the template language').choices([...holderLanguages]).makeOptionMandatory();
  template
    .command('show')
    .description('print the template in use for a language')
    .addOption(language)
    .action(async (o: { language: (typeof holderLanguages)[number] }) => {
      await withContracts(cli, false, async (contracts) => {
        const found = (await contracts.templates()).find((t) => t.language === o.language)!;
        process.stderr.write(`(${found.source === 'custom' ? "the administrator's template" : 'the built-in template'})\n`);
        cli.out(found.text);
      });
    });
  template
    .command('set')
    .description('replace a language\'s template with a file (checked for unknown placeholders first)')
    .addOption(language)
    .argument('<file>', 'the template file (UTF-8 text)')
    .action(async (file: string, o: { language: (typeof holderLanguages)[number] }) => {
      const text = await readFile(file, 'utf8');
      await withContracts(cli, true, async (contracts) => {
        const result = await contracts.setTemplate(o.language, text, cli.operation);
        if (result.ok) return cli.out(`The ${o.language} contract template is replaced.\n`);
        for (const problem of result.problems) process.stderr.write(`${file}:${problem.line}: ${problem.message}\n`);
        process.stderr.write('The template was not accepted; nothing changed.\n');
        process.exitCode = EXIT.invalid;
      });
    });
  template
    .command('reset')
    .description('go back to the built-in template for a language')
    .addOption(language)
    .action(async (o: { language: (typeof holderLanguages)[number] }) => {
      await withContracts(cli, true, async (contracts) => {
        await contracts.resetTemplate(o.language, cli.operation);
        cli.out(`The ${o.language} contract template is the built-in one again.\n`);
      });
    });
}
