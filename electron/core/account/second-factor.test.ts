/**
 * The second factor against independent implementations: the RFC 6238 Appendix B vectors
 * (checked against `oathtool` as well), codes made by `oathtool --totp`, and PSKC files made by
 * `csv2pskc` (python-pskc), plain and encrypted with a pre-shared key.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { oathtool } from '../../../test/support/oathtool';
import { holderInput, operator, PASSPHRASE, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { matchingStep, OTP_TOKENS, SECOND_FACTORS, SecondFactorService } from './second-factor';

const open: VaultServices[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const kiosk = { actor: { kind: 'holder', id: 'h' }, channel: 'kiosk' } as const;

async function setup(home = tempHome(), options: { init?: boolean } = {}) {
  const audit = new MemoryAuditTrail();
  const services = createVaultServices({ dataDir: home, audit, log: silentLogger });
  open.push(services);
  if (options.init !== false) await services.vault.init(Buffer.from(PASSPHRASE), operator);
  let now = Date.UTC(2026, 11, 7, 12, 0, 0);
  const clock = {
    set: (ms: number) => {
      now = ms;
    },
    get: () => now,
  };
  const factor = new SecondFactorService({ access: services.access, keyring: services.keyring, audit, directory: services.directory, now: () => now, issuer: () => 'Test CA' });
  return { services, audit, factor, clock, home };
}

async function holder(services: VaultServices, n: number): Promise<string> {
  const result = await services.directory.create(holderInput(n), operator);
  if (!result.ok) throw new Error('holder not saved');
  return result.holder.id;
}

function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'carddesk-pskc-'));
}

/** A PSKC file made by csv2pskc from CSV rows (and, with `key`, encrypted under it). */
function csv2pskc(rows: string[], key?: string): string {
  const dir = workDir();
  const csv = join(dir, 'tokens.csv');
  writeFileSync(csv, `serial,secret,algorithm,algorithm_suite,response_length,time_interval,counter,manufacturer\n${rows.join('\n')}\n`);
  return execFileSync('csv2pskc', [...(key === undefined ? [] : ['--secret', key]), csv], { encoding: 'utf8' });
}

const TOTP_URI = 'urn:ietf:params:xml:ns:keyprov:pskc:totp';
const HOTP_URI = 'urn:ietf:params:xml:ns:keyprov:pskc:hotp';

// RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's size.
const seeds = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
} as const;
const vectorTimes = [59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000];
// The table of RFC 6238 Appendix B (time, mode, TOTP), as printed in the RFC.
const rfcTable: Record<keyof typeof seeds, string[]> = {
  SHA1: ['94287082', '07081804', '14050471', '89005924', '69279037', '65353130'],
  SHA256: ['46119246', '68084774', '67062674', '91819424', '90698825', '77737706'],
  SHA512: ['90693936', '25091201', '99943326', '93441116', '38618901', '47863826'],
};

describe('RFC 6238 Appendix B', () => {
  it('the printed table agrees with oathtool (so the vectors below are the independent ones)', () => {
    for (const algorithm of Object.keys(seeds) as (keyof typeof seeds)[]) {
      expect(vectorTimes.map((t) => oathtool({ hex: seeds[algorithm].toString('hex') }, t * 1000, { algorithm, digits: 8 }))).toEqual(rfcTable[algorithm]);
    }
  });

  it('every vector passes through PSKC import, token assignment and SecondFactor.verify (8 digits, SHA1/SHA256/SHA512)', async () => {
    const { services, factor, clock } = await setup();
    const rows = (Object.keys(seeds) as (keyof typeof seeds)[]).map((algorithm) => `RFC-${algorithm},${seeds[algorithm].toString('hex')},${TOTP_URI},HMAC-${algorithm},8,30,,`);
    const report = await factor.importTokens(csv2pskc(rows), null, operator);
    expect(report).toMatchObject({ ok: true, imported: 3 });
    for (const [n, algorithm] of (Object.keys(seeds) as (keyof typeof seeds)[]).entries()) {
      const id = await holder(services, n + 10);
      await factor.assignToken(`RFC-${algorithm}`, id, operator);
      expect(factor.status(id)).toMatchObject({ method: 'token', state: 'enrolled', tokenSerial: `RFC-${algorithm}` });
      for (const [index, t] of vectorTimes.entries()) {
        clock.set(t * 1000);
        const code = rfcTable[algorithm][index] ?? '';
        // Another algorithm's code at the same time is not this token's.
        const other = rfcTable[algorithm === 'SHA1' ? 'SHA256' : 'SHA1'][index] ?? '';
        expect(await factor.verify(id, other, kiosk), `${algorithm} at ${t}: another mode's code`).toBe(false);
        expect(await factor.verify(id, code, kiosk), `${algorithm} at ${t}`).toBe(true);
        // And never twice.
        expect(await factor.check(id, code, kiosk), `${algorithm} at ${t}: replay`).toMatchObject({ ok: false, reason: 'replayed' });
      }
    }
  });

  it('matchingStep finds the step of each vector, ±1 step and no further', () => {
    const t = 1234567890_000;
    const step = Math.floor(1234567890 / 30);
    const secret = seeds.SHA1;
    const at = (ms: number) => oathtool({ hex: secret.toString('hex') }, ms, { digits: 8 });
    const parameters = { algorithm: 'SHA1', digits: 8, period: 30 } as const;
    expect(matchingStep(secret, parameters, at(t), t)).toBe(step);
    expect(matchingStep(secret, parameters, at(t - 30_000), t)).toBe(step - 1);
    expect(matchingStep(secret, parameters, at(t + 30_000), t)).toBe(step + 1);
    expect(matchingStep(secret, parameters, at(t - 60_000), t)).toBeNull();
    expect(matchingStep(secret, parameters, at(t + 60_000), t)).toBeNull();
    // The wrong length is not a code of this credential.
    expect(matchingStep(secret, parameters, at(t).slice(2), t)).toBeNull();
  });
});

describe('authenticator app (TOTP)', () => {
  async function enrolled() {
    const env = await setup();
    const id = await holder(env.services, 1);
    const enrolment = await env.factor.begin(id, kiosk);
    const code = oathtool(enrolment.secret, env.clock.get());
    expect(await env.factor.confirm(id, code, kiosk)).toMatchObject({ ok: true, status: { method: 'app', state: 'enrolled' } });
    return { ...env, id, enrolment };
  }

  it('enrols by an otpauth URI and QR code, sealed and pending until one code confirms it', async () => {
    const { services, factor, clock, audit } = await setup();
    const id = await holder(services, 1);
    const userNumber = services.directory.get(id).userNumber;
    const enrolment = await factor.begin(id, kiosk);
    const uri = new URL(enrolment.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Test CA:${userNumber}`);
    expect(uri.searchParams.get('issuer')).toBe('Test CA');
    expect(uri.searchParams.get('secret')).toBe(enrolment.secret);
    expect(Buffer.from(enrolment.secret.replace(/=+$/, ''), 'ascii').length).toBe(32); // 160 bits in base32
    expect(enrolment.qr.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(enrolment.qr.split(',')[1] ?? '', 'base64').toString()).toContain('<svg');
    expect(factor.status(id)).toMatchObject({ method: 'app', state: 'pending' });
    expect(factor.enrolled(id)).toBe(false);
    // Sealed: the record never holds the secret in the clear.
    const record = JSON.stringify(services.access.storage().records.get(SECOND_FACTORS, id));
    expect(record).not.toContain(enrolment.secret);
    // A wrong code does not confirm.
    const right = oathtool(enrolment.secret, clock.get());
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(await factor.confirm(id, wrong, kiosk)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(await factor.confirm(id, right, kiosk)).toMatchObject({ ok: true, status: { state: 'enrolled' } });
    expect(factor.enrolled(id)).toBe(true);
    // A second enrolment is refused while one stands.
    await expect(factor.begin(id, kiosk)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // Neither secret nor code in any audit event.
    const events = JSON.stringify(audit.events);
    expect(events).not.toContain(enrolment.secret);
    expect(events).not.toContain(right);
    expect(audit.events.map((event) => `${event.action}:${event.outcome}`)).toEqual(expect.arrayContaining(['secondFactor.enrolBegin:success', 'secondFactor.enrol:failure', 'secondFactor.enrol:success']));
  });

  it('accepts oathtool codes within ±1 step, refuses ±2 and a replayed code (also after a restart)', async () => {
    const { factor, clock, id, enrolment, services, home, audit } = await enrolled();
    const at = (ms: number) => oathtool(enrolment.secret, ms);
    clock.set(clock.get() + 10 * 60_000);
    const now = clock.get();
    expect(await factor.check(id, at(now - 60_000), kiosk)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(await factor.check(id, at(now + 60_000), kiosk)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(await factor.verify(id, at(now - 30_000), kiosk)).toBe(true);
    expect(await factor.verify(id, at(now), kiosk)).toBe(true);
    expect(await factor.check(id, at(now), kiosk)).toMatchObject({ ok: false, reason: 'replayed' });
    // An older step after a newer one is a replay too.
    expect(await factor.check(id, at(now - 30_000), kiosk)).toMatchObject({ ok: false, reason: 'replayed' });
    expect(await factor.verify(id, at(now + 30_000), kiosk)).toBe(true);
    // Two calls at once with one fresh code: one passes.
    clock.set(now + 5 * 60_000);
    const fresh = at(clock.get());
    const both = await Promise.all([factor.verify(id, fresh, kiosk), factor.verify(id, fresh, kiosk)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(audit.events.filter((event) => event.action === 'secondFactor.verify' && event.outcome === 'failure').map((event) => event.reason)).toEqual(['wrong', 'wrong', 'replayed', 'replayed', 'replayed']);
    // The used step is committed: a new process refuses the code as well.
    await services.close();
    const again = await setup(home, { init: false });
    await again.services.vault.unlock(Buffer.from(PASSPHRASE), operator);
    again.clock.set(clock.get());
    expect(await again.factor.check(id, fresh, kiosk)).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it('locks after five wrong codes in a row until the lock time has passed', async () => {
    const { factor, clock, id, enrolment } = await enrolled();
    clock.set(clock.get() + 120_000);
    const right = () => oathtool(enrolment.secret, clock.get());
    const wrong = () => String((Number(right()) + 7) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 4; i++) expect(await factor.check(id, wrong(), kiosk)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(await factor.check(id, wrong(), kiosk)).toMatchObject({ ok: false, reason: 'locked' });
    expect(factor.status(id).lockedUntil).not.toBeNull();
    expect(await factor.check(id, right(), kiosk)).toMatchObject({ ok: false, reason: 'locked' });
    clock.set(clock.get() + 5 * 60_000 + 1000);
    expect(await factor.verify(id, right(), kiosk)).toBe(true);
    expect(factor.status(id).lockedUntil).toBeNull();
  });

  it('is removed at the kiosk only with a valid code, at the desk with a reason; both audited', async () => {
    const { factor, clock, id, enrolment, audit } = await enrolled();
    clock.set(clock.get() + 60_000);
    const code = oathtool(enrolment.secret, clock.get());
    expect(await factor.removeWithCode(id, String((Number(code) + 1) % 1_000_000).padStart(6, '0'), kiosk)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(factor.enrolled(id)).toBe(true);
    expect(await factor.removeWithCode(id, code, kiosk)).toMatchObject({ ok: true, status: { method: 'none' } });
    expect(factor.enrolled(id)).toBe(false);
    // The desk: enrol again, then remove with a reason.
    const second = await factor.begin(id, kiosk);
    clock.set(clock.get() + 60_000);
    await factor.confirm(id, oathtool(second.secret, clock.get()), kiosk);
    expect(await factor.remove(id, 'phone lost', operator)).toMatchObject({ method: 'none', state: 'none' });
    const removals = audit.events.filter((event) => event.action === 'secondFactor.remove');
    expect(removals).toHaveLength(2);
    expect(removals[1]).toMatchObject({ actor: operator.actor, holderId: id, details: { reason: 'phone lost', method: 'app' } });
  });
});

describe('hardware OATH tokens from PSKC', () => {
  const base32Of = (hex: string) => {
    // oathtool takes hex as well; base32 here checks a second input form.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const byte of Buffer.from(hex, 'hex')) bits += byte.toString(2).padStart(8, '0');
    let out = '';
    for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
    return out;
  };
  const seedA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9011223344';
  const seedB = '00112233445566778899aabbccddeeff0011223344556677';
  const key = '0123456789abcdef0123456789abcdef';

  it('imports a plain file and an encrypted one (pre-shared key, HMAC); codes match oathtool', async () => {
    const { services, factor, clock, audit } = await setup();
    const plain = await factor.importTokens(csv2pskc([`P-1,${seedA},${TOTP_URI},,6,30,,Acme`]), null, operator);
    expect(plain).toEqual({ ok: true, fileProblem: null, imported: 1, keys: [{ serial: 'P-1', outcome: 'imported' }] });
    const encryptedFile = csv2pskc([`E-1,${seedA},${TOTP_URI},,6,30,,Acme`, `E-2,${seedB},${TOTP_URI},HMAC-SHA256,8,60,,Acme`], key);
    expect(encryptedFile).toContain('EncryptedValue');
    expect(encryptedFile).not.toContain(Buffer.from(seedA, 'hex').toString('base64'));
    const encrypted = await factor.importTokens(encryptedFile, Buffer.from(key, 'hex'), operator);
    expect(encrypted).toMatchObject({ ok: true, imported: 2 });
    expect(factor.tokens().map((token) => [token.serial, token.algorithm, token.digits, token.period, token.holderId])).toEqual([
      ['E-1', 'SHA1', 6, 30, null],
      ['E-2', 'SHA256', 8, 60, null],
      ['P-1', 'SHA1', 6, 30, null],
    ]);
    // Sealed in the vault, not in the clear.
    const stored = JSON.stringify([...services.access.storage().records.values(OTP_TOKENS)]);
    expect(stored).not.toContain(Buffer.from(seedA, 'hex').toString('base64'));
    expect(stored).not.toContain(seedA);
    const a = await holder(services, 1);
    const b = await holder(services, 2);
    await factor.assignToken('E-1', a, operator);
    await factor.assignToken('E-2', b, operator);
    expect(await factor.verify(a, oathtool(base32Of(seedA), clock.get()), kiosk)).toBe(true);
    expect(await factor.verify(b, oathtool({ hex: seedB }, clock.get(), { algorithm: 'SHA256', digits: 8, period: 60 }), kiosk)).toBe(true);
    // A token's code is the token's holder's only.
    clock.set(clock.get() + 120_000);
    expect(await factor.verify(b, oathtool({ hex: seedA }, clock.get()), kiosk)).toBe(false);
    // A token taken by another holder is refused; unassigning drops the holder's factor.
    await expect(factor.assignToken('E-1', b, operator)).rejects.toMatchObject({ code: 'CONFLICT' });
    await factor.assignToken('E-1', null, operator);
    expect(factor.status(a)).toMatchObject({ method: 'none' });
    expect(audit.events.map((event) => event.action)).toEqual(expect.arrayContaining(['otpToken.import', 'otpToken.assign', 'otpToken.unassign']));
    expect(JSON.stringify(audit.events)).not.toContain(key);
  });

  it('refuses a wrong pre-shared key, a missing one, a tampered MAC and a tampered MAC key, importing nothing', async () => {
    const { factor } = await setup();
    const file = csv2pskc([`E-1,${seedA},${TOTP_URI},,6,30,,Acme`, `E-2,${seedB},${TOTP_URI},,6,30,,Acme`], key);
    const wrongKey = Buffer.from('ffeeddccbbaa99887766554433221100', 'hex');
    expect(await factor.importTokens(file, wrongKey, operator)).toEqual({ ok: false, fileProblem: 'wrongKey', imported: 0, keys: [] });
    expect(await factor.importTokens(file, null, operator)).toMatchObject({ ok: false, fileProblem: 'keyRequired' });
    // One secret's MAC altered: that key is refused, and so is the whole file.
    const macs = [...file.matchAll(/<pskc:ValueMAC>([^<]+)<\/pskc:ValueMAC>/g)].map((match) => match[1] ?? '');
    expect(macs).toHaveLength(2);
    const flip = (value: string) => `${value.charAt(0) === 'A' ? 'B' : 'A'}${value.slice(1)}`;
    const tampered = file.replace(macs[1] ?? '', flip(macs[1] ?? ''));
    expect(await factor.importTokens(tampered, Buffer.from(key, 'hex'), operator)).toEqual({
      ok: false,
      fileProblem: null,
      imported: 0,
      keys: [
        { serial: 'E-1', outcome: 'accepted' },
        { serial: 'E-2', outcome: 'macMismatch' },
      ],
    });
    // Both altered: no MAC matches under this key.
    const allTampered = tampered.replace(macs[0] ?? '', flip(macs[0] ?? ''));
    expect(await factor.importTokens(allTampered, Buffer.from(key, 'hex'), operator)).toMatchObject({ ok: false, fileProblem: 'wrongKey' });
    // The MAC key's ciphertext altered (its last block, so the padding breaks or the MACs fail).
    const macKey = /<pskc:MACKey>[\s\S]*?<xenc:CipherValue>([^<]+)<\/xenc:CipherValue>/.exec(file)?.[1] ?? '';
    const bytes = Buffer.from(macKey, 'base64');
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x55;
    expect(await factor.importTokens(file.replace(macKey, bytes.toString('base64')), Buffer.from(key, 'hex'), operator)).toMatchObject({ ok: false, fileProblem: 'wrongKey' });
    expect(factor.tokens()).toEqual([]);
  });

  it('refuses HOTP keys per key (all or nothing), duplicates, and a file with a DOCTYPE', async () => {
    const { factor } = await setup();
    const mixed = csv2pskc([`T-1,${seedA},${TOTP_URI},,6,30,,Acme`, `H-1,${seedB},${HOTP_URI},,6,,0,Acme`]);
    expect(await factor.importTokens(mixed, null, operator)).toEqual({
      ok: false,
      fileProblem: null,
      imported: 0,
      keys: [
        { serial: 'T-1', outcome: 'accepted' },
        { serial: 'H-1', outcome: 'hotpNotSupported' },
      ],
    });
    expect(factor.tokens()).toEqual([]);
    const single = csv2pskc([`T-1,${seedA},${TOTP_URI},,6,30,,Acme`]);
    expect(await factor.importTokens(single, null, operator)).toMatchObject({ ok: true, imported: 1 });
    expect(await factor.importTokens(single, null, operator)).toEqual({ ok: false, fileProblem: null, imported: 0, keys: [{ serial: 'T-1', outcome: 'duplicate' }] });
    const withDoctype = single.replace('?>', '?>\n<!DOCTYPE x [<!ENTITY e "1">]>');
    expect(await factor.importTokens(withDoctype, null, operator)).toMatchObject({ ok: false, fileProblem: 'doctypeRefused' });
    expect(await factor.importTokens('<not-xml', null, operator)).toMatchObject({ ok: false, fileProblem: 'notXml' });
    expect(await factor.importTokens('<?xml version="1.0"?><a/>', null, operator)).toMatchObject({ ok: false, fileProblem: 'notPskc' });
  });
});
