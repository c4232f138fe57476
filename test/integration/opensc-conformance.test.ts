/**
 * The virtual PIV card as independent PIV middleware sees it, through the real PC/SC stack
 * (pcscd + vpcd): OpenSC's opensc-tool, pkcs15-tool, pkcs11-tool and piv-tool, Yubico's
 * yubico-piv-tool, and OpenSSL to check the signatures.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../electron/core/api/event-hub';
import { silentLogger } from '../../electron/core/log/logger';
import { loadPcscLite } from '../../electron/core/readers/pcsc-binding';
import { PcscReaderService } from '../../electron/core/readers/pcsc-reader-service';
import { FACTORY, type AsymmetricAlgorithm } from '../../electron/smartcard/piv';
import { CardInReader } from '../support/card-in-reader';
import { Pcscd } from '../support/pcscd';
import { createTestCa, provisionSlot } from '../support/provision';
import { run } from '../support/run';
import { waitUntil } from '../support/wait';

const OPENSC = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const work = mkdtempSync(join(tmpdir(), 'carddesk-conformance-'));
const file = (name: string): string => join(work, name);

let pcscd: Pcscd;
let card: CardInReader;
let readers: PcscReaderService;

const pkcs11 = (...args: string[]) => run('pkcs11-tool', ['--module', OPENSC, '--slot-index', '0', ...args]);

/** Keys generated on the card, certificates issued by a test CA with OpenSSL, written by CardDesk's client. */
async function provision(): Promise<void> {
  const ca = await createTestCa(work);
  const plan: [string, AsymmetricAlgorithm][] = [['9A', 'rsa2048'], ['9C', 'eccp256'], ['9D', 'rsa2048'], ['9E', 'eccp256']];
  for (const [slot, algorithm] of plan) await provisionSlot(readers, card.readerName, ca, slot, algorithm);
}

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  card = await CardInReader.create(0, { serial: 31415926 });
  readers = new PcscReaderService({ loadOpener: loadPcscLite, emit: new EventHub().emit, log: silentLogger });
  await readers.start();
  await card.insert();
  await waitUntil(() => readers.list().readers.find((r) => r.name === card.readerName)?.cardState === 'present', 5000, 'the card in pcscd');
}, 60_000);

afterAll(async () => {
  readers?.dispose();
  await card?.remove();
  await pcscd?.stop();
});

describe('the virtual PIV card through OpenSC', () => {
  it('opensc-tool names it a PIV card', async () => {
    const named = await run('opensc-tool', ['--reader', card.readerName, '--name']);
    expect(named.stdout.trim()).toBe('Personal Identity Verification Card');
    const atr = await run('opensc-tool', ['--reader', card.readerName, '--atr']);
    expect(atr.stdout.replaceAll(':', '').trim().toUpperCase()).toBe(Buffer.from(card.card.atr).toString('hex').toUpperCase());
  });

  it('pkcs15-tool lists the PIN and the PUK, and the PIN tries left are reported', async () => {
    const pins = await run('pkcs15-tool', ['--reader', card.readerName, '--list-pins']);
    expect(pins.code, pins.stderr).toBe(0);
    expect(pins.stdout).toMatch(/PIN \[PIN\][\s\S]*Reference\s+: 128 \(0x80\)/);
    expect(pins.stdout).toMatch(/PIN \[PIV PUK\][\s\S]*Reference\s+: 129 \(0x81\)/);
    const version = (await run('opensc-tool', ['--info'])).stdout;
    const [major, minor] = (/OpenSC (\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
    if ((major ?? 0) > 0 || (minor ?? 0) >= 24) {
      expect(pins.stdout).toMatch(/Tries left\s+: 3/);
    } else {
      // OpenSC before 0.24 prints the PIN objects without asking the card (fixed by "pkcs15-tool:
      // update PIN status before printing it"); the tries left come from an independent tool instead.
      console.log(`pkcs15-tool ${major}.${minor} does not ask the card for tries left; checking with yubico-piv-tool`);
      const status = await run('yubico-piv-tool', ['--reader', card.readerName, '--action', 'status']);
      expect(status.stdout).toMatch(/PIN tries left:\s+3/);
      expect(status.stdout).toMatch(/Serial Number:\s+31415926/);
    }
  });

  it('piv-tool authenticates with the card management key, and refuses a wrong one', async () => {
    writeFileSync(file('admin.key'), Buffer.from(FACTORY.MANAGEMENT_KEY).toString('hex'));
    writeFileSync(file('wrong.key'), '0102030405060708010203040506070801020304050607FF');
    const [major, minor] = (/OpenSC (\d+)\.(\d+)/.exec((await run('opensc-tool', ['--info'])).stdout) ?? []).slice(1).map(Number);
    const modes = ['M'];
    // External authentication ("A") in OpenSC before 0.24 miscounts its own message and fails
    // before the card is asked (fixed by "card-piv.c fix auth length check"); the card's side of
    // it is tested with raw APDUs in electron/core/piv/piv-client.test.ts.
    if ((major ?? 0) > 0 || (minor ?? 0) >= 24) modes.push('A');
    else console.log(`OpenSC ${major}.${minor}: piv-tool external authentication is broken there; testing mutual authentication only`);
    for (const mode of modes) {
      const ok = await run('piv-tool', ['--reader', card.readerName, '--admin', `${mode}:9B:03`], { env: { PIV_EXT_AUTH_KEY: file('admin.key') } });
      expect(ok.code, `${mode}: ${ok.stderr}`).toBe(0);
      expect(ok.stderr).not.toMatch(/admin_mode failed/);
      const refused = await run('piv-tool', ['--reader', card.readerName, '--admin', `${mode}:9B:03`], { env: { PIV_EXT_AUTH_KEY: file('wrong.key') } });
      expect(refused.stderr).toMatch(/admin_mode failed/);
    }
  });

  describe('after keys and certificates are provisioned', () => {
    beforeAll(provision, 120_000);

    it('pkcs11-tool lists the token and its objects', async () => {
      const slots = await pkcs11('--list-token-slots');
      expect(slots.stdout).toMatch(/Slot 0 .*Virtual PCD 00 00/);
      expect(slots.stdout).toMatch(/token flags\s+:.*login required/);
      const objects = await pkcs11('--list-objects');
      expect(objects.code, objects.stderr).toBe(0);
      for (const slot of ['9A', '9C', '9D', '9E']) expect(objects.stdout).toContain(`CN=CardDesk test ${slot}`);
      expect(objects.stdout.match(/Certificate Object/g)).toHaveLength(4);
      expect(objects.stdout.match(/Public Key Object/g)?.length).toBeGreaterThanOrEqual(4);
    });

    it('pkcs11-tool --test --login passes', async () => {
      const result = await pkcs11('--test', '--login', '--pin', FACTORY.PIN);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.stdout, `${result.stdout}\n${result.stderr}`).toMatch(/No errors/);
    }, 120_000);

    it('signs through OpenSC with the RSA key (9A) and the signature verifies with openssl', async () => {
      writeFileSync(file('data.txt'), 'CardDesk conformance: sign this');
      const signed = await pkcs11('--login', '--pin', FACTORY.PIN, '--sign', '--id', '01', '--mechanism', 'SHA256-RSA-PKCS', '--input-file', file('data.txt'), '--output-file', file('data.rsa.sig'));
      expect(signed.code, signed.stderr).toBe(0);
      await run('openssl', ['x509', '-inform', 'DER', '-in', file('9A.der'), '-pubkey', '-noout', '-out', file('9A.cert-pub.pem')]);
      const verified = await run('openssl', ['dgst', '-sha256', '-verify', file('9A.cert-pub.pem'), '-signature', file('data.rsa.sig'), file('data.txt')]);
      expect(verified.stdout.trim()).toBe('Verified OK');
    });

    it('signs through OpenSC with the ECDSA signature key (9C, PIN always) and openssl verifies it', async () => {
      const signed = await pkcs11('--login', '--pin', FACTORY.PIN, '--sign', '--id', '02', '--mechanism', 'ECDSA-SHA256', '--signature-format', 'openssl', '--input-file', file('data.txt'), '--output-file', file('data.ec.sig'));
      expect(signed.code, signed.stderr).toBe(0);
      await run('openssl', ['x509', '-inform', 'DER', '-in', file('9C.der'), '-pubkey', '-noout', '-out', file('9C.cert-pub.pem')]);
      const verified = await run('openssl', ['dgst', '-sha256', '-verify', file('9C.cert-pub.pem'), '-signature', file('data.ec.sig'), file('data.txt')]);
      expect(verified.stdout.trim()).toBe('Verified OK');
      // The certificates chain to the CA that issued them.
      await run('openssl', ['x509', '-inform', 'DER', '-in', file('9C.der'), '-out', file('9C.pem')]);
      expect((await run('openssl', ['verify', '-CAfile', file('ca.pem'), file('9C.pem')])).stdout).toMatch(/OK/);
    });

    it('blocks the PIN after 3 wrong tries, OpenSC reports it locked, and the PUK unblocks it', async () => {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const wrong = await run('pkcs15-tool', ['--reader', card.readerName, '--verify-pin', '--pin', '000000']);
        expect(wrong.code).not.toBe(0);
        if (attempt === 2) {
          const token = await pkcs11('--list-token-slots');
          expect(token.stdout, token.stdout).toMatch(/final user PIN try/);
        }
      }
      const locked = await pkcs11('--list-token-slots');
      expect(locked.stdout).toMatch(/user PIN locked/);
      const refused = await run('pkcs15-tool', ['--reader', card.readerName, '--verify-pin', '--pin', FACTORY.PIN]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/blocked|locked/i);

      const unblocked = await run('pkcs15-tool', ['--reader', card.readerName, '--unblock-pin', '--puk', FACTORY.PUK, '--new-pin', '654321']);
      expect(unblocked.code, unblocked.stderr).toBe(0);
      const verified = await run('pkcs15-tool', ['--reader', card.readerName, '--verify-pin', '--pin', '654321']);
      expect(verified.code, verified.stderr).toBe(0);
      const flags = await pkcs11('--list-token-slots');
      expect(flags.stdout).not.toMatch(/user PIN locked|final user PIN try/);
    });
  });
});
