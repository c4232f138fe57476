/**
 * The mobile ID's QR code by email and the holder's notices, against the REAL desk (issue 16 §1):
 * a desk set up with the `carddesk` command (vault, CA, holder with an email address, listener
 * with HTTPS, SMTP to a real SMTP server on 127.0.0.1), the issuance policy's mobile ID defaults
 * changed with `carddesk card policy`, `carddesk mobile issue` with no options sends the QR code
 * by email; the reference client (`carddesk mobile enroll --qr`) enrols from the PNG attached to
 * that mail over real EST HTTPS (`carddesk listener run`), and the success notice arrives. A
 * refused enrollment gives exactly one failure notice; `--no-notify` gives none. Runs itself in a
 * private network namespace (the desk publishes a non-loopback address) unless it is in one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait';
import { parseEnrollmentUri } from '../../electron/core/mobile/enrollment-uri';
import { carddesk, carddeskSession, type CliResult, type CliSession } from '../support/cli';
import { freePort } from '../support/free-port';
import { startMailServer, type MailServer, type ReceivedMail } from '../support/mail-server';
import { addPublishedAddress, inPrivateNetwork, runInPrivateNetwork } from '../support/published-address';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';

const thisFile = 'test/integration/mobile-delivery.test.ts';
const P12_PASSPHRASE = 'the phone keystore passphrase';
const URI = /carddesk-mobile:[^\s]+/;

interface Issued {
  mobileId: { id: string; options: { labels: string[]; validityDays: number; delivery: string; notify: boolean } };
  sentTo?: string;
  sent?: boolean;
  enrollmentUri?: string;
}

/** The phone's side: `carddesk mobile enroll`, with a data folder of its own. */
async function phone(args: readonly string[]): Promise<{ printed: string; failure: string | null }> {
  const result = await carddesk(['mobile', ...args], { home: tempHome(), timeoutMs: 120_000 });
  return { printed: result.stdout, failure: result.code === 0 ? null : `exit ${result.code}: ${result.stdout}${result.stderr}` };
}

if (!inPrivateNetwork()) {
  describe('mobile ID delivery by email (in a private network namespace)', () => {
    it('passes every test of this file run in a network namespace of its own', () => {
      const inner = runInPrivateNetwork(thisFile);
      console.log(inner.output.split('\n').filter((line) => /✓|×|FAIL|Tests |Test Files /.test(line)).join('\n'));
      expect(inner.status, inner.output).toBe(0);
      expect(inner.output).toMatch(/Tests\s+4 passed \(4\)/);
    }, 420_000);
  });
} else
  describe('mobile ID: defaults from the policy, QR code by email, holder notices, against the real desk and a real SMTP server', () => {
    const home = tempHome('carddesk-mobile-delivery-');
    const work = join(home, 'phone-side');
    const passFile = join(work, 'p12-pass');
    const holder = personalNumber(1617);
    const cd = (args: string[], input = `${PASSPHRASE}\n`): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 120_000 });
    const step = async (args: string[], input = `${PASSPHRASE}\n`): Promise<CliResult> => {
      const result = await cd(args, input);
      expect(result.code, `carddesk ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
      return result;
    };
    let mail: MailServer;
    let desk: CliSession | null = null;
    const issued: Record<'byPolicy' | 'override' | 'silent', Issued> = {} as never;
    const mailsTo = (subject: RegExp): ReceivedMail[] => mail.received.filter((m) => subject.test(m.parsed.subject ?? ''));

    beforeAll(async () => {
      mail = await startMailServer();
      const host = addPublishedAddress();
      const [port, tlsPort] = [await freePort(host), await freePort(host)];
      mkdirSync(work, { recursive: true });
      writeFileSync(passFile, `${P12_PASSPHRASE}\n`);
      await step(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`);
      await step(['ca', 'init', '--root-name', 'CN=Delivery E2E Root, O=CardDesk Test', '--issuing-name', 'CN=Delivery E2E Issuing, O=CardDesk Test', '--base-url', `http://${host}:${port}/`]);
      await step(['holder', 'add', '--personal-number', holder, '--first-name', 'Grace', '--last-name', 'Hopper', '--email', 'grace@example.org', '--language', 'nl'], '');
      await step(['listener', 'set', '--on', '--address', host, '--port', String(port), '--tls-port', String(tlsPort), '--public-host', host]);
      await step(['notify', 'smtp', '--host', '127.0.0.1', '--port', String(mail.port), '--security', 'none', '--from', 'desk@carddesk.example', '--name', 'CardDesk']);
    }, 280_000);

    afterAll(async () => {
      if (desk !== null) {
        desk.signal('SIGINT');
        await desk.done;
      }
      await mail.close();
    });

    it('the policy’s mobile ID defaults change with `card policy`; a mobile ID issued with no options gets them, a request’s option overrides', async () => {
      const before = JSON.parse((await step(['card', 'policy'])).stdout) as { mobileId?: { delivery: string } };
      expect(before.mobileId?.delivery ?? 'screen').toBe('screen');
      const policy = JSON.parse((await step(['card', 'policy', '--mobile-delivery', 'email', '--mobile-labels', 'auth', '--mobile-days', '30'])).stdout) as { mobileId: Record<string, unknown> };
      expect(policy.mobileId).toEqual({ labels: ['auth'], validityDays: 30, delivery: 'email', recoverKey: false, notify: true });

      issued.byPolicy = JSON.parse((await step(['mobile', 'issue', '--holder', holder, '--json'])).stdout) as Issued;
      expect(issued.byPolicy.mobileId.options).toEqual({ labels: ['auth'], validityDays: 30, delivery: 'email', recoverKey: false, notify: true });
      expect(issued.byPolicy.enrollmentUri).toBeUndefined();
      expect(issued.byPolicy.sentTo).toBe('g***@example.org');
      expect(issued.byPolicy.sent).toBe(true);

      issued.override = JSON.parse((await step(['mobile', 'issue', '--holder', holder, '--delivery', 'screen', '--days', '10', '--json'])).stdout) as Issued;
      expect(issued.override.mobileId.options).toEqual({ labels: ['auth'], validityDays: 10, delivery: 'screen', recoverKey: false, notify: true });
      expect(issued.override.enrollmentUri).toMatch(URI);
      issued.silent = JSON.parse((await step(['mobile', 'issue', '--holder', holder, '--delivery', 'screen', '--no-notify', '--json'])).stdout) as Issued;
      expect(issued.silent.mobileId.options.notify).toBe(false);

      // The text form says where it went, and never prints the link.
      const printed = await step(['mobile', 'issue', '--holder', holder]);
      expect(printed.stdout).toMatch(/QR code sent to g\*\*\*@example\.org\./);
      expect(printed.stdout).not.toMatch(URI);
    }, 240_000);

    it('the mail holds the link and a QR code PNG in the holder’s language; the reference client enrols from that PNG over EST HTTPS', async () => {
      const sent = mail.received.filter((m) => m.parsed.text?.includes(issued.byPolicy.mobileId.id) === true);
      expect(sent).toHaveLength(1);
      const letter = sent[0]!;
      expect(letter.envelopeTo).toEqual(['grace@example.org']);
      expect(letter.parsed.subject).toBe('Uw mobiele ID: stel het in op uw telefoon');
      expect(letter.parsed.text).toMatch(/15 minuten/);
      const uri = URI.exec(letter.parsed.text ?? '')?.[0] ?? '';
      expect(parseEnrollmentUri(uri).mobileId).toBe(issued.byPolicy.mobileId.id);
      const png = letter.parsed.attachments.find((a) => a.contentType === 'image/png');
      expect(png).toBeDefined();
      const pngFile = join(work, 'from-mail.png');
      writeFileSync(pngFile, png!.content);

      desk = carddeskSession(['listener', 'run'], { home, input: `${PASSPHRASE}\n`, timeoutMs: 400_000 });
      await desk.waitFor(/Listening for HTTPS on/, 90_000);
      const enrolled = await phone(['enroll', '--qr', pngFile, '--out', join(work, 'wallet'), '--p12-passphrase-file', passFile]);
      expect(enrolled.failure ?? null).toBeNull();
    }, 240_000);

    it('refused enrollments of a pending mobile ID (a certificate it does not have) twice, and a --no-notify one refused then enrolled', async () => {
      const override = parseEnrollmentUri(issued.override.enrollmentUri ?? '');
      const byUrl = (invitation: typeof override, labels: string) => ['enroll', '--url', invitation.estUrl, '--id', invitation.mobileId, '--code', invitation.code, '--ca-sha256', invitation.caSha256, '--labels', labels];
      for (const attempt of [1, 2]) {
        const refused = await phone([...byUrl(override, 'sign'), '--out', join(work, `refused-${attempt}`), '--p12-passphrase-file', passFile]);
        expect(refused.failure).toMatch(/^exit 1: /);
      }
      const silent = parseEnrollmentUri(issued.silent.enrollmentUri ?? '');
      expect((await phone([...byUrl(silent, 'sign'), '--out', join(work, 'silent-refused'), '--p12-passphrase-file', passFile])).failure).toMatch(/^exit 1: /);
      const enrolled = await phone([...byUrl(silent, 'auth'), '--out', join(work, 'silent'), '--p12-passphrase-file', passFile]);
      expect(enrolled.failure ?? null).toBeNull();
    }, 240_000);

    it('the desk serving EST sends one success notice and one failure notice, and nothing for the mobile ID without notices', async () => {
      // `listener run` sends the mobile ID mails while it serves: both notices arrive without a drain.
      const notices = await waitUntil(() => {
        const found = mail.received.filter((m) => /mobiele ID (is actief|kon niet)/.test(m.parsed.subject ?? ''));
        return found.length >= 2 && found;
      }, 60_000, 'the two notices');
      if (desk !== null) {
        desk.signal('SIGINT');
        await desk.done;
        desk = null;
      }
      expect(notices.map((m) => m.parsed.subject).sort()).toEqual(['Uw mobiele ID is actief', 'Uw mobiele ID kon niet worden ingesteld']);
      expect(notices.every((m) => m.envelopeTo.join() === 'grace@example.org')).toBe(true);
      expect(mailsTo(/actief/)[0]?.parsed.text).toMatch(/\(auth\)/);
      // Sent means sent: draining the outbox afterwards sends nothing more (no second notice, none for the silent one).
      expect((await step(['notify', 'send'])).stdout).toMatch(/^0 sent/);
      expect(mail.received.filter((m) => /mobiele ID (is actief|kon niet)/.test(m.parsed.subject ?? ''))).toHaveLength(2);
    }, 120_000);
  });
