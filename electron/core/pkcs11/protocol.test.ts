import { describe, expect, it } from 'vitest';
import { compactBytes, Pkcs11RequestSchema, Pkcs11ResponseSchema, resultSchemas } from './protocol';

const ok = (value: unknown) => Pkcs11RequestSchema.safeParse(value).success;

describe('the worker protocol', () => {
  it('accepts each request kind in its shape', () => {
    const slot = { id: 1, slotId: 42 };
    expect(ok({ id: 0, kind: 'init', modulePath: '/usr/lib/softhsm/libsofthsm2.so' })).toBe(true);
    expect(ok({ id: 1, kind: 'listSlots', tokenPresent: true })).toBe(true);
    expect(ok({ ...slot, kind: 'login', userType: 'user', pin: new Uint8Array([0x31]) })).toBe(true);
    expect(ok({ ...slot, kind: 'findKey', key: { id: '0a' }, keyClass: 'public' })).toBe(true);
    expect(ok({ ...slot, kind: 'sign', key: { label: 'CA' }, mechanism: { name: 'ECDSA' }, data: Buffer.alloc(32) })).toBe(true);
    expect(ok({ ...slot, kind: 'sign', key: { id: '01' }, mechanism: { name: 'RSA_PKCS_PSS', hash: 'SHA-256', saltLength: 32 }, data: Buffer.alloc(32) })).toBe(true);
    expect(ok({ ...slot, kind: 'generateKeyPair', spec: { type: 'ec', curve: 'P-384' }, options: { label: 'CA', id: 'ca01' } })).toBe(true);
    expect(ok({ ...slot, kind: 'writeCertificate', certificate: { label: 'c', id: '01', der: new Uint8Array(3) } })).toBe(true);
    expect(ok({ id: 9, kind: 'close' })).toBe(true);
  });

  it('refuses malformed requests', () => {
    const slot = { id: 1, slotId: 42 };
    expect(ok({ id: 1, kind: 'format', slotId: 1 })).toBe(false);
    expect(ok({ id: -1, kind: 'close' })).toBe(false);
    expect(ok({ id: 1, kind: 'tokenInfo', slotId: 1.5 })).toBe(false);
    expect(ok({ ...slot, kind: 'login', userType: 'user', pin: '123456' })).toBe(false);
    expect(ok({ ...slot, kind: 'login', userType: 'root', pin: new Uint8Array(1) })).toBe(false);
    expect(ok({ ...slot, kind: 'findKey', key: { id: 'xyz' }, keyClass: 'private' })).toBe(false);
    expect(ok({ ...slot, kind: 'findKey', key: { id: '01', label: 'both' }, keyClass: 'private' })).toBe(false);
    expect(ok({ ...slot, kind: 'sign', key: { id: '01' }, mechanism: { name: 'MD5_RSA_PKCS' }, data: Buffer.alloc(1) })).toBe(false);
    expect(ok({ ...slot, kind: 'sign', key: { id: '01' }, mechanism: { name: 'RSA_PKCS' }, data: Buffer.alloc(32) })).toBe(false);
    expect(ok({ ...slot, kind: 'generateKeyPair', spec: { type: 'rsa', bits: 1024 }, options: { label: 'weak', id: '01' } })).toBe(false);
    expect(ok({ ...slot, kind: 'generateKeyPair', spec: { type: 'ec', curve: 'P-256' }, options: { label: 'x', id: '01', usage: [] } })).toBe(false);
  });

  it('fills the safe defaults of a key pair: non-extractable, sensitive, on the token, signing', () => {
    const parsed = Pkcs11RequestSchema.parse({ id: 1, slotId: 1, kind: 'generateKeyPair', spec: { type: 'ec', curve: 'P-256' }, options: { label: 'CA', id: 'ca' } });
    expect(parsed.kind === 'generateKeyPair' && parsed.options).toEqual({ label: 'CA', id: 'ca', extractable: false, sensitive: true, token: true, usage: ['sign'] });
  });

  it('turns received byte arrays back into Buffers over the same memory', () => {
    const pin = new Uint8Array([0x31, 0x32, 0x33, 0x34]);
    const parsed = Pkcs11RequestSchema.parse({ id: 1, slotId: 1, kind: 'login', userType: 'user', pin });
    if (parsed.kind !== 'login') throw new Error('kind');
    expect(Buffer.isBuffer(parsed.pin)).toBe(true);
    parsed.pin.fill(0);
    expect([...pin]).toEqual([0, 0, 0, 0]);
  });

  it('checks responses and each kind of result', () => {
    expect(Pkcs11ResponseSchema.safeParse({ id: 3, ok: true, result: {} }).success).toBe(true);
    expect(Pkcs11ResponseSchema.safeParse({ id: null, ok: false, error: { code: 'INVALID_ARGUMENTS', message: 'x', ckr: null } }).success).toBe(true);
    expect(Pkcs11ResponseSchema.safeParse({ id: 3, ok: false, error: { code: 'NOT_A_CODE', message: 'x', ckr: null } }).success).toBe(false);
    expect(resultSchemas.login.safeParse({ ok: false, reason: 'wrongPin' }).success).toBe(false);
    expect(resultSchemas.login.safeParse({ ok: false, reason: 'pinLocked' }).success).toBe(true);
    expect(resultSchemas.sign.safeParse({ ok: true, signature: 'AAAA' }).success).toBe(false);
    expect(resultSchemas.sign.parse({ ok: true, signature: new Uint8Array(2) })).toEqual({ ok: true, signature: Buffer.alloc(2) });
  });

  it('copies pooled byte views before posting, so no neighbouring bytes cross the boundary', () => {
    const pooled = Buffer.from('123456');
    expect(pooled.buffer.byteLength).toBeGreaterThan(6);
    const out = compactBytes({ kind: 'login', pin: pooled, nested: [{ data: pooled }] });
    expect(out.pin).not.toBe(pooled);
    expect(out.pin.buffer.byteLength).toBe(6);
    expect(out.nested[0]?.data.buffer.byteLength).toBe(6);
    const exact = new Uint8Array(4);
    expect(compactBytes({ exact }).exact).toBe(exact);
  });
});
