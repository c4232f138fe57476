import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardDeskError } from '../../shared/errors';
import { silentLogger } from '../log/logger';
import type { MobileLabel } from './enrollment-uri';
import { basicCredentials, decodeBase64Body, EstSite, type EstBackend, MAX_EST_BODY } from './est-site';
import { RateLimiter } from './rate-limit';

/** What the site passed on: the site's own parsing is what is tested, the enrollment is elsewhere. */
const calls: { kind: string; label: MobileLabel; user?: string; code?: string; der: Buffer }[] = [];
const backend: EstBackend = {
  chain: () => [Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x02])],
  enroll: (label, user, code, der) => {
    calls.push({ kind: 'enroll', label, user, code, der });
    if (code === 'locked') return Promise.reject(new CardDeskError('VAULT_LOCKED', 'The vault is locked.'));
    return Promise.resolve(code === 'good' ? { ok: true, certificate: Buffer.from([0x30, 0x00]), serial: '01' } : { ok: false, refusal: 'unauthorized', message: 'The mobile ID or its code is not valid.' });
  },
  reenroll: (label, cert, der) => {
    calls.push({ kind: 'reenroll', label, der });
    return Promise.resolve(cert === null ? { ok: false, refusal: 'unauthorized', message: 'No client certificate.' } : { ok: false, refusal: 'forbidden', message: 'x' });
  },
  recoverKey: (user, code, passphrase) => {
    calls.push({ kind: 'recoverKey', label: 'enc', user, code, der: passphrase });
    return Promise.resolve(code === 'good' ? { ok: true, p12: Buffer.from([0x30, 0x01, 0x00]), keys: 1 } : { ok: false, refusal: 'notFound', message: 'No escrowed key was chosen for this mobile ID.' });
  },
};

let server: Server;
let base = '';
let clock = 0;

beforeAll(async () => {
  const site = new EstSite(backend, silentLogger, { burst: 20, perSecond: 1, now: () => clock });
  server = createServer((request, response) => {
    void site.handle(new URL(request.url ?? '/', 'http://x').pathname, request, response).then((mine) => {
      if (!mine) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/est`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const basic = (user: string, code: string) => `Basic ${Buffer.from(`${user}:${code}`).toString('base64')}`;
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'application/pkcs10', ...headers } });

describe('EstSite', () => {
  it('answers cacerts with base64 of a certs-only SignedData in lines', async () => {
    const response = await fetch(`${base}/cacerts`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pkcs7-mime; smime-type=certs-only');
    const text = await response.text();
    expect(text).toMatch(/^[A-Za-z0-9+/=\r\n]+$/);
    const der = Buffer.from(text, 'base64');
    // ContentInfo { signedData, [0] SignedData { ... certificates [0] ... } } holds both certificates.
    expect(der.includes(Buffer.from('06092a864886f70d010702', 'hex'))).toBe(true);
    expect(der.includes(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x02]))).toBe(true);
    expect((await fetch(`${base}/enc/cacerts`)).status).toBe(200);
  });

  it('routes labels (none = auth), and unknown paths or labels to 404', async () => {
    calls.length = 0;
    const body = Buffer.from([0x30, 0x01, 0x00]).toString('base64');
    expect((await post('/simpleenroll', body, { Authorization: basic('m1', 'good') })).status).toBe(200);
    expect((await post('/sign/simpleenroll', `${body.slice(0, 2)}\r\n${body.slice(2)}`, { Authorization: basic('m1', 'good'), 'Content-Transfer-Encoding': 'base64' })).status).toBe(200);
    expect(calls.map((c) => [c.kind, c.label, c.user, c.code, c.der.toString('hex')])).toEqual([
      ['enroll', 'auth', 'm1', 'good', '300100'],
      ['enroll', 'sign', 'm1', 'good', '300100'],
    ]);
    expect((await post('/other/simpleenroll', body, { Authorization: basic('m1', 'good') })).status).toBe(404);
    expect((await post('/auth/simpleenroll/more', body)).status).toBe(404);
    expect((await fetch(`${base}/auth/bogus`)).status).toBe(404);
    expect((await fetch(`${base}/auth/simpleenroll`)).status).toBe(405);
  });

  it('maps refusals to statuses and never echoes the code', async () => {
    const body = Buffer.from([0x30, 0x00]).toString('base64');
    const missing = await post('/auth/simpleenroll', body);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Basic realm="carddesk-est"');
    const wrong = await post('/auth/simpleenroll', body, { Authorization: basic('m1', 'SECRET-CODE-123') });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('SECRET-CODE-123');
    expect((await post('/auth/simplereenroll', body)).status).toBe(401);
    expect((await post('/auth/simpleenroll', 'not base64!', { Authorization: basic('m1', 'good') })).status).toBe(400);
    expect((await post('/auth/simpleenroll', body, { Authorization: basic('m1', 'good'), 'Content-Type': 'text/plain' })).status).toBe(400);
    expect((await post('/auth/simpleenroll', 'A'.repeat(MAX_EST_BODY + 4), { Authorization: basic('m1', 'good') })).status).toBe(413);
    // The desk cannot sign (its vault locked): 503, try later.
    const locked = await post('/auth/simpleenroll', body, { Authorization: basic('m1', 'locked') });
    expect(locked.status).toBe(503);
    expect(locked.headers.get('retry-after')).toBe('60');
  });

  it('rate-limits POSTs per source address with Retry-After, and lets them through again as time passes', async () => {
    clock += 3_600_000;
    const body = Buffer.from([0x30, 0x00]).toString('base64');
    let statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await post('/auth/simpleenroll', body, { Authorization: basic('m', 'bad') })).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    const limited = await post('/auth/simpleenroll', body);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // cacerts is not limited.
    expect((await fetch(`${base}/cacerts`)).status).toBe(200);
    clock += 5_000;
    statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await post('/auth/simpleenroll', body, { Authorization: basic('m', 'bad') })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('EST parsing helpers', () => {
  it('decodes base64 with line breaks and refuses what is not base64', () => {
    expect(decodeBase64Body(Buffer.from('MAE=\r\n'))?.toString('hex')).toBe('3001');
    expect(decodeBase64Body(Buffer.from('MA\nE=\n'))?.toString('hex')).toBe('3001');
    for (const bad of ['', 'MAE', 'MA=E', '####', 'MAE=MAE=']) expect(decodeBase64Body(Buffer.from(bad))).toBeNull();
  });

  it('reads HTTP Basic credentials (a colon in the password is kept)', () => {
    expect(basicCredentials(`Basic ${Buffer.from('id:a:b').toString('base64')}`)).toEqual({ user: 'id', password: 'a:b' });
    expect(basicCredentials(undefined)).toBeNull();
    expect(basicCredentials('Bearer x')).toBeNull();
    expect(basicCredentials(`Basic ${Buffer.from(':nouser').toString('base64')}`)).toBeNull();
  });

  it('forgets idle addresses so a scan cannot grow the table without end', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 1, () => now, 100);
    for (let i = 0; i < 1000; i++) expect(limiter.take(`10.0.${i >> 8}.${i & 255}`)).toBe(0);
    now += 10_000;
    expect(limiter.take('10.0.0.0')).toBe(0);
    expect(limiter.take('10.0.0.0')).toBe(0);
    expect(limiter.take('10.0.0.0')).toBeGreaterThan(0);
  });

  it('carddesk-recoverkey: Basic credentials and a text passphrase in, the PKCS#12 out in base64; refusals as statuses', async () => {
    clock += 3_600_000; // a fresh rate-limit bucket after the tests above
    const path = '/carddesk-recoverkey';
    const text = { 'Content-Type': 'text/plain; charset=utf-8' };
    const ok = await post(path, 'a phone passphrase', { ...text, Authorization: basic('m1', 'good') });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/pkcs12');
    expect(ok.headers.get('content-transfer-encoding')).toBe('base64');
    expect(Buffer.from(await ok.text(), 'base64')).toEqual(Buffer.from([0x30, 0x01, 0x00]));
    const seen = calls.at(-1)!;
    expect(seen).toMatchObject({ kind: 'recoverKey', user: 'm1', code: 'good' });
    // The site zeroes the passphrase once answered.
    expect(seen.der.every((byte) => byte === 0)).toBe(true);
    expect((await post(path, 'a phone passphrase', { ...text, Authorization: basic('m1', 'other') })).status).toBe(404);
    const noAuth = await post(path, 'a phone passphrase', text);
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await post(path, 'a phone passphrase', { Authorization: basic('m1', 'good') })).status).toBe(400);
    expect((await fetch(`${base}${path}`)).status).toBe(405);
    expect((await post('/enc/carddesk-recoverkey', 'x', text)).status).toBe(404);
  });
});
