/**
 * `carddesk mobile issue|migrate|list|show|lock|unlock|revoke|cancel`: the holder's mobile ID (issue 16),
 * the desk's side. `issue` prints the enrollment URI (the QR code's content, with the one-time
 * code: shown to the holder, never logged) and its QR code; the phone enrols over EST on the
 * listener's HTTPS port. The reference phone client (`carddesk mobile enroll|reenroll`) is
 * attached to the same `mobile` group by registerMobileClientCommands (see program.ts).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import QRCode from 'qrcode';
import { revocationReasons } from '../shared/enums';
import type { RevocationReason } from '../shared/schemas/certificates';
import type { MobileIdSummary } from '../shared/schemas/mobile-id';
import { MOBILE_LABELS, type MobileLabel } from '../core/mobile/enrollment-uri';
import { createMobileIdService } from '../core/mobile/mobile-wiring';
import { deliveryId } from '../core/mobile/mobile-delivery';
import type { IssuedMobileId, MobileIdService } from '../core/mobile/mobile-id-service';
import type { VaultServices } from '../core/vault/vault-services';
import type { CliContext } from './cli-context';
import { positiveInteger } from './parse-options';
import { printJson, unlockVault, withVault } from './vault-session';
import { notifyServicesFor } from '../core/notify/notify-services';

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function labelsOption(value: string): MobileLabel[] {
  const labels = value.split(',').map((label) => label.trim()).filter((label) => label !== '');
  for (const label of labels) if (!(MOBILE_LABELS as readonly string[]).includes(label)) throw new Error(`--labels takes ${MOBILE_LABELS.join(', ')} (comma-separated), not ${label}`);
  if (labels.length === 0) throw new Error('--labels needs at least one label');
  return [...new Set(labels)] as MobileLabel[];
}

function describe(summary: MobileIdSummary): string {
  const certificates = Object.entries(summary.certificates).map(([label, serial]) => `${label} ${serial ?? '-'}`);
  return [
    `Mobile ID ${summary.id}: ${summary.state}`,
    `  holder ${summary.holderId}, labels ${summary.options.labels.join(',')}, enrolled ${summary.enrolled.length === 0 ? 'none' : summary.enrolled.join(',')}`,
    `  created ${summary.createdAt}, ends ${summary.expiresAt}${summary.codePending ? `, code good until ${summary.codeExpiresAt ?? '?'}` : ''}`,
    ...(certificates.length === 0 ? [] : [`  certificates: ${certificates.join(', ')}`]),
    ...(summary.supersedes === null ? [] : [`  replaces ${summary.supersedes}`]),
    ...(summary.supersededBy === null || summary.supersededBy === undefined ? [] : [`  replaced by ${summary.supersededBy}`]),
  ].join('\n');
}

/** A new mobile ID's enrollment: its URI and QR code here, or (delivery email) where it was sent. */
async function printIssued(cli: CliContext, services: VaultServices, issued: IssuedMobileId, png: string | undefined, json: boolean): Promise<void> {
  if (issued.sentTo !== undefined && issued.sentTo !== null) {
    // By email: the URI is not printed; the outbox is drained once (a failed try is retried by the app).
    const drained = await notifyServicesFor(services, cli.log).sender.drain();
    const sent = drained.sent > 0 && notifyServicesFor(services, cli.log).outbox.get(deliveryId(issued.mobileId.id))?.state === 'sent';
    if (json) printJson(cli, { mobileId: issued.mobileId, sentTo: issued.sentTo, sent });
    else cli.out(`${describe(issued.mobileId)}\n\n${sent ? `QR code sent to ${issued.sentTo}.` : `QR code queued for ${issued.sentTo}; it could not be sent yet (see \`carddesk notify outbox\`).`}\n`);
    return;
  }
  if (png !== undefined) await writeFile(resolve(png), await QRCode.toBuffer(issued.enrollmentUri, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 }), { mode: 0o600 });
  if (json) {
    printJson(cli, { mobileId: issued.mobileId, enrollmentUri: issued.enrollmentUri });
    return;
  }
  cli.out(`${describe(issued.mobileId)}\n\nEnrollment URI (one-time; show it to the holder only):\n${issued.enrollmentUri}\n\n`);
  cli.out(`${await QRCode.toString(issued.enrollmentUri, { type: 'terminal', small: true })}\n`);
}

async function withMobile<T>(cli: CliContext, unlock: boolean, run: (mobile: MobileIdService, services: VaultServices) => Promise<T>): Promise<T> {
  return withVault(cli, async (services) => {
    if (unlock) await unlockVault(cli, services);
    return run(createMobileIdService(services, cli.settings, cli.log), services);
  });
}

/** Registers `carddesk mobile …` and returns the group, for the phone client's commands. */
export function registerMobileCommands(program: Command, cli: CliContext): Command {
  const mobile = program.command('mobile').description('mobile IDs: certificates on the holder’s phone, enrolled over EST');

  mobile
    .command('issue')
    .requiredOption('--holder <holder>', 'id, personal number or user number of an active holder')
    .option('--labels <list>', `certificates on the phone: ${MOBILE_LABELS.join(',')} (default from the issuance policy)`, labelsOption)
    .option('--days <n>', 'validity of the mobile ID and its certificates, in days (default from the issuance policy)', positiveInteger)
    .addOption(new Option('--delivery <how>', 'screen: print the URI and QR code here; email: send them to the holder’s registered email (default from the issuance policy)').choices(['screen', 'email']))
    .option('--recover-key', 'recover the escrowed encryption key onto the phone')
    .option('--no-recover-key', 'do not recover the encryption key')
    .option('--notify', 'tell the holder when the mobile ID is active or an enrollment is refused')
    .option('--no-notify', 'do not tell the holder')
    .option('--qr-png <file>', 'also write the QR code as a PNG file (delivery screen)')
    .option('--json', 'print machine-readable JSON (with the enrollment URI when it is for the screen)')
    .description('issue a mobile ID: prints the enrollment URI with its one-time code and the QR code, or sends them by email (asks for the vault passphrase)')
    .action((o: { holder: string; labels?: MobileLabel[]; days?: number; delivery?: 'screen' | 'email'; recoverKey?: boolean; notify?: boolean; qrPng?: string; json?: boolean }) =>
      withMobile(cli, true, async (service, services) => {
        const holder = services.directory.find(o.holder);
        const input = stripUndefined({ labels: o.labels, validityDays: o.days, delivery: o.delivery, recoverKey: o.recoverKey, notify: o.notify });
        await printIssued(cli, services, await service.issue(holder.id, input, cli.operation), o.qrPng, o.json === true);
      }),
    );

  mobile
    .command('migrate')
    .argument('<id>', 'the active or locked mobile ID the new phone replaces')
    .option('--labels <list>', `certificates on the new phone: ${MOBILE_LABELS.join(',')} (default: the old mobile ID's)`, labelsOption)
    .option('--days <n>', 'validity of the new mobile ID and its certificates, in days (default: the old one’s)', positiveInteger)
    .option('--recover-key', 'also put the holder’s escrowed encryption key on the new phone')
    .option('--qr-out <file>', 'also write the QR code as a PNG file')
    .option('--json', 'print machine-readable JSON (with the enrollment URI)')
    .description('move a mobile ID to a new phone: a new enrollment code; the old phone works until the new one enrols, then its certificates are revoked (superseded) (asks for the vault passphrase)')
    .action((id: string, o: { labels?: MobileLabel[]; days?: number; recoverKey?: boolean; qrOut?: string; json?: boolean }) =>
      withMobile(cli, true, async (service, services) => {
        const issued = await service.migrate(
          id,
          { ...(o.labels === undefined ? {} : { labels: o.labels }), ...(o.days === undefined ? {} : { validityDays: o.days }), ...(o.recoverKey === true ? { recoverKey: true } : {}) },
          cli.operation,
        );
        await printIssued(cli, services, issued, o.qrOut, o.json === true);
      }),
    );

  mobile
    .command('list')
    .requiredOption('--holder <holder>', 'id, personal number or user number')
    .option('--json', 'print machine-readable JSON')
    .description('list a holder’s mobile IDs, newest first')
    .action((o: { holder: string; json?: boolean }) =>
      withMobile(cli, false, (service, services) => {
        const list = service.list(services.directory.find(o.holder).id);
        if (o.json === true) printJson(cli, list);
        else cli.out(list.length === 0 ? 'No mobile IDs.\n' : `${list.map(describe).join('\n')}\n`);
        return Promise.resolve();
      }),
    );

  mobile
    .command('show')
    .argument('<id>', 'the mobile ID')
    .option('--json', 'print machine-readable JSON')
    .description('show one mobile ID')
    .action((id: string, o: { json?: boolean }) =>
      withMobile(cli, false, (service) => {
        const summary = service.show(id);
        if (o.json === true) printJson(cli, summary);
        else cli.out(`${describe(summary)}\n`);
        return Promise.resolve();
      }),
    );

  const change = (name: string, description: string, act: (service: MobileIdService, id: string, o: { days?: number; reason?: RevocationReason }) => Promise<MobileIdSummary | void>): Command =>
    mobile
      .command(name)
      .argument('<id>', 'the mobile ID')
      .option('--json', 'print machine-readable JSON')
      .description(`${description} (asks for the vault passphrase)`)
      .action((id: string, o: { json?: boolean; days?: number; reason?: RevocationReason }) =>
        withMobile(cli, true, async (service) => {
          const summary = await act(service, id, o);
          if (summary === undefined) cli.out(o.json === true ? `${JSON.stringify({ id, cancelled: true })}\n` : `Mobile ID ${id} cancelled.\n`);
          else if (o.json === true) printJson(cli, summary);
          else cli.out(`${describe(summary)}\n`);
        }),
      );

  change('lock', 'put the mobile ID’s certificates on hold (CRL and OCSP at once)', (service, id, o) => service.lock(id, o.days ?? 30, cli.operation)).option(
    '--days <n>',
    'how long at most the hold lasts (default 30)',
    positiveInteger,
  );
  change('unlock', 'release the hold', (service, id) => service.unlock(id, cli.operation));
  change('revoke', 'revoke the mobile ID and its certificates', (service, id, o) => service.revoke(id, o.reason ?? 'cessationOfOperation', cli.operation)).addOption(
    new Option('--reason <reason>', 'revocation reason (default cessationOfOperation)').choices([...revocationReasons]),
  );
  change('cancel', 'withdraw an unfinished mobile ID: enrolled certificates revoked, nothing left', (service, id) => service.cancel(id, cli.operation));

  return mobile;
}
