/**
 * The card life cycle through `carddesk card …`, one process per command as an operator runs it,
 * on virtual PIV cards in the vpcd readers of the real pcscd: issue (then OpenSC sees the keys and
 * certificates, signs, and OpenSSL verifies the signature against the issued certificate and the
 * chain to the vault CA), offline unblock with the holder's and the desk's commands, PIN reset,
 * suspend/resume, renew, lost and replaced (an OpenSC decryption with the recovered key), revoke,
 * retire, the expiry watch; and the card pulled in the middle of issue, unblock and renew.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardInReader } from '../support/card-in-reader';
import { carddesk, carddeskSession, type CliResult } from '../support/cli';
import { unrecordedCommands } from '../support/cli-audit';
import { Pcscd } from '../support/pcscd';
import { run as tool } from '../support/run';
import { PASSPHRASE, personalNumber, tempHome } from '../support/vault-fixtures';

const OPENSC = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const home = tempHome('carddesk-lifecycle-cli-');
const pass = `${PASSPHRASE}\n`;
const file = (name: string): string => join(home, name);

let pcscd: Pcscd;
let card: CardInReader;

const cd = (args: string[], input = pass): Promise<CliResult> => carddesk(args, { home, input, timeoutMs: 90_000 });
const onReader = (): string[] => ['--reader', card.readerName];

/** pkcs11-tool on the reader holding our card (OpenSC names the slot after the reader). */
const pkcs11 = (...args: string[]) => tool('pkcs11-tool', ['--module', OPENSC, '--slot-description', card.readerName, ...args].filter(Boolean));

/** A new virtual card (factory state) in reader 1, replacing whatever card was there. */
async function newCard(serial: number): Promise<void> {
  await card?.remove();
  card = await CardInReader.create(1, { serial });
  await card.insert();
}

function pinFrom(letter: string): { pin: string; puk: string | null } {
  const text = execFileSync('pdftotext', ['-layout', join(home, 'outbox', letter), '-'], { encoding: 'utf8' });
  expect(text).toMatch(/We will never ask for your PIN/);
  return { pin: /PIN\s+(\d{6,8})\b/.exec(text)![1]!, puk: /PUK\s+(\d{8})\b/.exec(text)?.[1] ?? null };
}

interface Issued {
  serial: string;
  certificates: { serial: string; profile: string }[];
  letters: { kind: string; fileName: string }[];
}

async function issueTo(holder: string): Promise<Issued & { pin: string; puk: string }> {
  const result = await cd(['card', 'issue', '--yes', '--holder', holder, '--json', ...onReader()]);
  expect(result.code, result.stderr).toBe(0);
  const issued = JSON.parse(result.stdout) as Issued & { ok: true; cardState: string };
  const { pin, puk } = pinFrom(issued.letters.find((l) => l.kind === 'pin')!.fileName);
  if (issued.cardState === 'awaitingActivation') await activate(pin);
  return { ...issued, pin, puk: puk! };
}

/** The holder activates the card in the reader: types the PIN, the card signs the contract. */
async function activate(pin: string): Promise<CliResult> {
  const result = await cd(['card', 'activate', ...onReader()], `${PASSPHRASE}\n${pin}\n`);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout + result.stderr).not.toContain(pin);
  return result;
}

async function verifyPin(pin: string): Promise<boolean> {
  return (await tool('pkcs15-tool', ['--reader', card.readerName, '--verify-pin', '--pin', pin])).code === 0;
}

async function blockPin(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await tool('pkcs15-tool', ['--reader', card.readerName, '--verify-pin', '--pin', '00000000']);
  expect(await verifyPin('00000000')).toBe(false);
}

async function holder(n: number, first: string): Promise<string> {
  const added = await cd(['holder', 'add', '--personal-number', personalNumber(n), '--first-name', first, '--last-name', 'Tester', '--email', `${first.toLowerCase()}@example.org`, '--contact-person', 'Desk Contact', '--json'], '');
  expect(added.code, added.stderr).toBe(0);
  return personalNumber(n);
}

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  expect((await cd(['vault', 'init'], `${PASSPHRASE}\n${PASSPHRASE}\n`)).code).toBe(0);
  const ca = await cd(['ca', 'init', '--algorithm', 'p384', '--root-name', 'CN=Lifecycle Root, O=CardDesk Test', '--issuing-name', 'CN=Lifecycle Issuing, O=CardDesk Test']);
  expect(ca.code, ca.stderr).toBe(0);
  const chain = await cd(['ca', 'export', '--ca', '--out', file('chain.pem')], '');
  expect(chain.code, chain.stderr).toBe(0);
  await newCard(50_000_001);
}, 180_000);

afterAll(async () => {
  await card?.remove();
  await pcscd?.stop();
});

describe('carddesk card issue', () => {
  let issued: Issued & { pin: string; puk: string };

  it('personalises the card step by step and leaves the PIN only in the PIN letter', async () => {
    const ada = await holder(1, 'Ada');
    const result = await cd(['card', 'issue', '--yes', '--holder', ada, '--user-number-to', 'contact-person', ...onReader()]);
    expect(result.code, result.stderr).toBe(0);
    for (const step of ['Identify the card', "Set the card's own management key", 'Set PIN, PUK and retry limits', 'Encryption key (9D)', 'Card authentication key (9E)', 'Write certificates, CHUID and CCC', 'PIN letters to the outbox', 'Mark the card active']) {
      expect(result.stderr).toMatch(new RegExp(`\\[\\s*\\d+/13\\] ${step.replace(/[()]/g, '\\$&')}\\s+done`));
    }
    expect(result.stdout).toMatch(/Card 50000001 is issued and awaits activation/);
    expect(result.stdout).toMatch(/user number for the contact person: .*-user-number\.pdf/);
    const letter = /PIN and PUK for the holder: (\S+)/.exec(result.stdout)![1]!;
    const { pin, puk } = pinFrom(letter);
    expect(result.stdout + result.stderr).not.toContain(pin);
    const state = async (): Promise<string> => (JSON.parse((await cd(['card', 'record', '--serial', '50000001'])).stdout) as { card: { state: string } }).card.state;
    expect(await state()).toBe('awaitingActivation');

    // The holder activates it: a wrong PIN leaves it waiting with the tries left; theirs signs the contract.
    const wrong = await cd(['card', 'activate', ...onReader()], `${PASSPHRASE}\n${pin === '99999999' ? '88888888' : '99999999'}\n`);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/2 tries left/);
    expect(await state()).toBe('awaitingActivation');
    expect((await activate(pin)).stdout).toMatch(/Card 50000001 is active; the signed contract is kept in the vault\./);
    expect(await state()).toBe('active');
    const contracts = await cd(['contract', 'list', '--json']);
    expect(contracts.code, contracts.stderr).toBe(0);
    const [contract] = (JSON.parse(contracts.stdout) as { items: { id: string; status: string; cardSerial: string }[] }).items;
    expect(contract).toMatchObject({ status: 'signed', cardSerial: '50000001' });
    const exported = await cd(['contract', 'export', contract!.id, '--out', file('contract.pdf')]);
    expect(exported.code, exported.stderr).toBe(0);
    const verified = await cd(['contract', 'verify', file('contract.pdf')]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/CN=Ada Tester/);
    issued = { serial: '50000001', certificates: [], letters: [], pin, puk: puk! };
  });

  it('OpenSC sees the four keys and certificates (9E, card authentication, among them); a signature made through OpenSC verifies and the certificate chains to the vault CA', async () => {
    const objects = await pkcs11('--list-objects');
    expect(objects.code, objects.stderr).toBe(0);
    expect(objects.stdout.match(/Certificate Object/g)).toHaveLength(4);
    expect(objects.stdout).toMatch(/CN=Ada Tester/);
    // Before a login only the card authentication key (9E: no PIN, SP 800-73-4) shows as a private key.
    expect(objects.stdout.match(/Private Key Object/g)?.length, objects.stdout).toBe(1);
    expect(objects.stdout, objects.stdout).toMatch(/Private Key Object[^\n]*\n\s+label:\s+CARD AUTH/i);
    expect(objects.stdout.match(/Public Key Object/g)?.length, objects.stdout).toBeGreaterThanOrEqual(4);

    writeFileSync(file('data.txt'), 'signed at the CardDesk helpdesk');
    const signed = await pkcs11('--login', '--pin', issued.pin, '--sign', '--id', '01', '--mechanism', 'SHA256-RSA-PKCS', '--input-file', file('data.txt'), '--output-file', file('data.sig'));
    expect(signed.code, signed.stderr).toBe(0);
    const read = await pkcs11('--read-object', '--type', 'cert', '--id', '01', '--output-file', file('auth.der'));
    expect(read.code, read.stderr).toBe(0);
    await tool('openssl', ['x509', '-inform', 'DER', '-in', file('auth.der'), '-out', file('auth.pem')]);
    await tool('openssl', ['x509', '-in', file('auth.pem'), '-pubkey', '-noout', '-out', file('auth.pub')]);
    const verified = await tool('openssl', ['dgst', '-sha256', '-verify', file('auth.pub'), '-signature', file('data.sig'), file('data.txt')]);
    expect(verified.stdout.trim()).toBe('Verified OK');
    // chain.pem holds the issuing CA and the root: trust the root, the issuing CA is untrusted input.
    const pems = readFileSync(file('chain.pem'), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    writeFileSync(file('issuing.pem'), `${pems[0]}\n`);
    writeFileSync(file('root.pem'), `${pems.at(-1)}\n`);
    const chained = await tool('openssl', ['verify', '-CAfile', file('root.pem'), '-untrusted', file('issuing.pem'), file('auth.pem')]);
    expect(chained.stdout, chained.stderr).toMatch(/auth\.pem: OK/);
  });

  it('refuses to issue the same card twice', async () => {
    const again = await cd(['card', 'issue', '--yes', '--holder', personalNumber(1), ...onReader()]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/issued already/);
  });

  it('offline unblock: the holder shows the challenge, the desk answers, the holder sets a new PIN; a response works once', async () => {
    await blockPin();
    const holderSide = carddeskSession(['card', 'unblock-offline', ...onReader()], { home });
    const shown = await holderSide.waitFor(/Challenge\s+(\S+)/);
    const serial = /Card serial\s+(\S+)/.exec(shown)![1]!;
    const challenge = /Challenge\s+(\S+)/.exec(shown)![1]!;
    const desk = await cd(['card', 'unblock-response', '--serial', serial, '--challenge', challenge]);
    expect(desk.code, desk.stderr).toBe(0);
    const response = /Response for card \S+: (\S+)/.exec(desk.stdout)![1]!;
    holderSide.write(`24681357\n${response}\n`);
    const ended = await holderSide.done;
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toMatch(/PIN unblocked and set\./);
    expect(await verifyPin('24681357')).toBe(true);

    // The same response against a new challenge: refused without touching the card.
    await blockPin();
    const second = carddeskSession(['card', 'unblock-offline', ...onReader()], { home });
    await second.waitFor(/Challenge/);
    second.write(`13572468\n${Array(5).fill(response).join('\n')}\n`);
    const refused = await second.done;
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/does not match the challenge/);
    expect(await verifyPin('13572468')).toBe(false);
  });

  it('offline unblock with the card pulled before the response: a clear message, the card still blocked', async () => {
    const holderSide = carddeskSession(['card', 'unblock-offline', ...onReader()], { home });
    const shown = await holderSide.waitFor(/Challenge\s+(\S+)/);
    const desk = await cd(['card', 'unblock-response', '--serial', /Card serial\s+(\S+)/.exec(shown)![1]!, '--challenge', /Challenge\s+(\S+)/.exec(shown)![1]!]);
    expect(desk.code, desk.stderr).toBe(0);
    await card.remove();
    holderSide.write(`11223344\n${/Response for card \S+: (\S+)/.exec(desk.stdout)![1]!}\n`);
    const ended = await holderSide.done;
    expect(ended.code).toBe(2);
    expect(ended.stderr).toMatch(/card was removed/);
    await card.reinsert();
    expect(await verifyPin('11223344')).toBe(false);
  });

  it('operator PIN reset writes a new PIN letter; the PUK stays', async () => {
    const reset = await cd(['card', 'reset-pin', ...onReader()]);
    expect(reset.code, reset.stderr).toBe(0);
    const { pin, puk } = pinFrom(/New PIN letter in the outbox \(.*\): (\S+)/.exec(reset.stdout)![1]!);
    expect(puk).toBeNull();
    expect(await verifyPin(pin)).toBe(true);
    issued.pin = pin;
  });

  it('suspends and resumes the card with its certificates', async () => {
    expect((await cd(['card', 'suspend', '--serial', issued.serial, '--days', '7'])).code).toBe(0);
    const held = JSON.parse((await cd(['ca', 'list', '--query', issued.serial, '--json'], '')).stdout) as { items: { status: string }[] };
    expect(held.items.map((c) => c.status)).toEqual(Array(4).fill('suspended'));
    expect((await cd(['card', 'resume', '--serial', issued.serial])).code).toBe(0);
    const back = JSON.parse((await cd(['ca', 'list', '--query', issued.serial, '--json'], '')).stdout) as { items: { status: string }[] };
    expect(back.items.map((c) => c.status)).toEqual(Array(4).fill('valid'));
  });

  it('renews; pulled in the middle it stays active and renewing again finishes; OpenSC then reads the new certificate', async () => {
    const before = JSON.parse((await cd(['ca', 'list', '--query', issued.serial, '--status', 'valid', '--json'], '')).stdout) as { items: { serial: string }[] };
    card.pullAtApdu(14);
    const stopped = await cd(['card', 'renew', ...onReader()]);
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toMatch(/removed/);
    await card.reinsert();
    expect(JSON.parse((await cd(['card', 'record', '--serial', issued.serial])).stdout)).toMatchObject({ card: { state: 'active' } });
    const renewed = await cd(['card', 'renew', ...onReader()]);
    expect(renewed.code, renewed.stderr).toBe(0);
    const after = JSON.parse((await cd(['ca', 'list', '--query', issued.serial, '--status', 'valid', '--json'], '')).stdout) as { items: { serial: string }[] };
    expect(after.items).toHaveLength(4);
    expect(after.items.map((c) => c.serial)).not.toEqual(expect.arrayContaining([before.items[0]!.serial]));
    await pkcs11('--read-object', '--type', 'cert', '--id', '01', '--output-file', file('renewed.der'));
    const serialOnCard = (await tool('openssl', ['x509', '-inform', 'DER', '-in', file('renewed.der'), '-noout', '-serial'])).stdout.trim().replace('serial=', '');
    // Serials compared as numbers: OpenSSL and the vault may differ in leading zeros and case.
    const bare = (serial: string): string => serial.toUpperCase().replace(/^0+/, '');
    expect(after.items.map((c) => bare(c.serial))).toContain(bare(serialOnCard));
  });
});

describe('lost card, replacement and escrowed key recovery', () => {
  it('data encrypted to the lost card is decrypted through OpenSC by its replacement', async () => {
    const bea = await holder(2, 'Bea');
    await newCard(50_000_002);
    const lost = await issueTo(bea);
    await pkcs11('--read-object', '--type', 'cert', '--id', '03', '--output-file', file('enc.der'));
    await tool('openssl', ['x509', '-inform', 'DER', '-in', file('enc.der'), '-pubkey', '-noout', '-out', file('enc.pub')]);
    writeFileSync(file('secret.txt'), 'minutes of the board meeting');
    const encrypted = await tool('openssl', ['pkeyutl', '-encrypt', '-pubin', '-inkey', file('enc.pub'), '-in', file('secret.txt'), '-out', file('secret.enc')]);
    expect(encrypted.code, encrypted.stderr).toBe(0);

    const reported = await cd(['card', 'report-lost', '--serial', lost.serial, '--stolen']);
    expect(reported.code, reported.stderr).toBe(0);
    await newCard(50_000_003);
    const replaced = await cd(['card', 'replace', '--lost', lost.serial, '--json', ...onReader()]);
    expect(replaced.code, replaced.stderr).toBe(0);
    const replacement = JSON.parse(replaced.stdout) as Issued;
    const { pin } = pinFrom(replacement.letters.find((l) => l.kind === 'pin')!.fileName);

    // OpenSC lists the retired key-management key (key history) as ID 05, slot 82.
    const objects = await pkcs11('--list-objects');
    expect(objects.stdout).toMatch(/ID:\s+05/);
    const decrypted = await pkcs11('--login', '--pin', pin, '--decrypt', '--id', '05', '--mechanism', 'RSA-PKCS', '--input-file', file('secret.enc'), '--output-file', file('secret.out'));
    expect(decrypted.code, decrypted.stderr).toBe(0);
    expect(readFileSync(file('secret.out'), 'utf8')).toBe('minutes of the board meeting');
  });
});

describe('pulled during issuance, revoke, retire, expiry watch', () => {
  it('a card pulled mid-issue is "personalisation incomplete" and resume-issue finishes it', async () => {
    const cem = await holder(3, 'Cem');
    await newCard(50_000_004);
    card.pullAtApdu(20);
    const stopped = await cd(['card', 'issue', '--yes', '--holder', cem, ...onReader()]);
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toMatch(/removed.*\(stopped at: /);
    expect(JSON.parse((await cd(['card', 'record', '--serial', '50000004'])).stdout)).toMatchObject({ card: { state: 'personalisationIncomplete' } });
    await card.reinsert();
    const again = await cd(['card', 'issue', '--yes', '--holder', cem, ...onReader()]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/resume it/);
    const resumed = await cd(['card', 'resume-issue', '--serial', '50000004', '--json', ...onReader()]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const { pin } = pinFrom((JSON.parse(resumed.stdout) as Issued).letters.find((l) => l.kind === 'pin')!.fileName);
    expect(await verifyPin(pin)).toBe(true);
  });

  it('revokes a card, retires it back to the factory state, and the expiry watch is empty this far out', async () => {
    expect((await cd(['card', 'revoke', '--serial', '50000004', '--reason', 'affiliationChanged'])).code).toBe(0);
    const retired = await cd(['card', 'retire', ...onReader()]);
    expect(retired.code, retired.stderr).toBe(0);
    const status = await cd(['card', 'status', ...onReader()], '');
    expect(status.stdout).toMatch(/Management key\s+TDES \(factory default: change it\)/);
    expect(status.stdout).toMatch(/Slot 9A\s+PIV authentication: no key; no certificate/);
    const watch = await cd(['card', 'expiring']);
    expect(watch.stdout).toMatch(/No certificate expires in that time\./);
  });
});

describe('the holder chooses the PIN at the desk', () => {
  it('card policy --activation holder-chooses-pin: the letter has the PUK only, and card activate --choose-pin sets the new PIN and signs', async () => {
    const policy = await cd(['card', 'policy', '--activation', 'holder-chooses-pin']);
    expect(policy.code, policy.stderr).toBe(0);
    expect(JSON.parse(policy.stdout)).toMatchObject({ activation: 'holderChoosesPin' });
    try {
      const dina = await holder(5, 'Dina');
      await newCard(50_000_005);
      const result = await cd(['card', 'issue', '--yes', '--holder', dina, '--json', ...onReader()]);
      expect(result.code, result.stderr).toBe(0);
      const issued = JSON.parse(result.stdout) as Issued & { cardState: string; holderChoosesPin?: boolean };
      expect(issued).toMatchObject({ cardState: 'awaitingActivation', holderChoosesPin: true });
      const text = execFileSync('pdftotext', ['-layout', join(home, 'outbox', issued.letters.find((l) => l.kind === 'pin')!.fileName), '-'], { encoding: 'utf8' });
      expect(text).not.toMatch(/PIN\s+\d{6,8}\b/);
      expect(text).toMatch(/PUK\s+\d{8}\b/);
      expect(text).toMatch(/choose yourself at the desk/);
      const state = async (): Promise<unknown> => JSON.parse((await cd(['card', 'record', '--serial', '50000005'])).stdout);
      expect(await state()).toMatchObject({ card: { state: 'awaitingActivation' }, personalisation: { transportPinPending: true } });

      // The PIN is not in the letter: activating with a PIN is refused, as are two different new PINs.
      const withPin = await cd(['card', 'activate', ...onReader()], `${PASSPHRASE}\n123456\n`);
      expect(withPin.code).toBe(3);
      expect(withPin.stderr).toMatch(/--choose-pin/);
      const differ = await cd(['card', 'activate', '--choose-pin', ...onReader()], `${PASSPHRASE}\n246813\n246814\n`);
      expect(differ.code).not.toBe(0);
      expect(differ.stderr).toMatch(/differ/);
      expect(await state()).toMatchObject({ card: { state: 'awaitingActivation' }, personalisation: { transportPinPending: true } });

      const chosen = await cd(['card', 'activate', '--choose-pin', ...onReader()], `${PASSPHRASE}\n246813\n246813\n`);
      expect(chosen.code, chosen.stderr).toBe(0);
      expect(chosen.stdout).toMatch(/Card 50000005 is active/);
      expect(chosen.stdout + chosen.stderr).not.toContain('246813');
      expect(await state()).toMatchObject({ card: { state: 'active' }, personalisation: { pinChosenByHolder: true, transportPinPending: false } });
      // OpenSC, through pcscd, finds the holder's PIN on the card.
      expect(await verifyPin('246813')).toBe(true);
    } finally {
      expect((await cd(['card', 'policy', '--activation', 'holder-signs'])).code).toBe(0);
    }
  });
});

describe('an operator card (issue 17)', () => {
  it('card issue --operator puts an operator certificate (client authentication only) from the vault CA in slot 9A', async () => {
    const olga = await holder(6, 'Olga');
    await newCard(50_000_006);
    const result = await cd(['card', 'issue', '--yes', '--operator', '--holder', olga, '--json', ...onReader()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/operator card/);
    const issued = JSON.parse(result.stdout) as Issued & { certificates: { profile: string }[] };
    expect(issued.certificates.map((c) => c.profile)).toEqual(['operator', 'signature', 'encryption', 'cardAuthentication']);
    // Read back from the card by OpenSC (9A is object id 01) and checked by OpenSSL.
    const der = file('operator-9a.der');
    const read = await pkcs11('--read-object', '--type', 'cert', '--id', '01', '--output-file', der);
    expect(read.code, read.stderr).toBe(0);
    const usage = await tool('openssl', ['x509', '-inform', 'DER', '-in', der, '-noout', '-ext', 'extendedKeyUsage']);
    expect(usage.stdout.split('\n').slice(1).join(' ').trim()).toBe('TLS Web Client Authentication');
    expect((await tool('openssl', ['x509', '-inform', 'DER', '-in', der, '-out', file('operator-9a.pem')])).code).toBe(0);
    const verified = await tool('openssl', ['verify', '-partial_chain', '-CAfile', file('chain.pem'), file('operator-9a.pem')]);
    expect(verified.stdout.trim(), verified.stderr).toMatch(/: OK$/);
  });
});

describe('the audit log', () => {
  it('recorded every life-cycle command that changed state', async () => {
    expect(await unrecordedCommands('card-lifecycle-cli', (args) => cd(args, ''))).toEqual([]);
  });
});
