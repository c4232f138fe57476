import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatEnrollmentUri, parseEnrollmentUri, type EnrollmentInvitation } from './enrollment-uri';

const invitation: EnrollmentInvitation = {
  estUrl: 'https://desk.example:8443/pki/.well-known/est',
  mobileId: 'm_0123abc',
  code: randomBytes(24).toString('base64url'),
  caSha256: randomBytes(32).toString('hex'),
  labels: ['auth', 'sign'],
};

describe('enrollment URI', () => {
  it('reads back what it wrote', () => {
    const uri = formatEnrollmentUri(invitation);
    expect(uri.startsWith('carddesk-mobile:enroll?v=1&')).toBe(true);
    expect(parseEnrollmentUri(`  ${uri}\n`)).toEqual(invitation);
  });

  it.each([
    ['another scheme', (u: string) => u.replace('carddesk-mobile:', 'otpauth:')],
    ['another version', (u: string) => u.replace('v=1', 'v=2')],
    ['plain http', (u: string) => u.replace('https%3A', 'http%3A')],
    ['a short code', (u: string) => u.replace(/code=[^&]+/, 'code=abc')],
    ['a bad fingerprint', (u: string) => u.replace(/ca=[0-9a-f]+/, 'ca=zz')],
    ['an unknown label', (u: string) => u.replace('labels=auth%2Csign', 'labels=auth%2Cpay')],
    ['a label twice', (u: string) => u.replace('labels=auth%2Csign', 'labels=auth%2Cauth')],
    ['a parameter twice', (u: string) => `${u}&id=other`],
    ['a missing parameter', (u: string) => u.replace(/&id=[^&]+/, '')],
    ['a URL not ending in /.well-known/est', (u: string) => u.replace('%2F.well-known%2Fest', '%2Fest')],
  ])('refuses %s in words', (_name, change) => {
    const uri = change(formatEnrollmentUri(invitation));
    expect(uri).not.toBe(formatEnrollmentUri(invitation));
    expect(() => parseEnrollmentUri(uri)).toThrow(/not a CardDesk mobile ID enrollment code/);
  });

  it('carries the key flag (key=1) when a key waits, and reads codes without it as before', () => {
    const withKey = formatEnrollmentUri({ ...invitation, recoverKey: true });
    expect(withKey).toMatch(/&key=1$/);
    expect(parseEnrollmentUri(withKey)).toEqual({ ...invitation, recoverKey: true });
    expect(formatEnrollmentUri({ ...invitation, recoverKey: false })).toBe(formatEnrollmentUri(invitation));
    // An older code (no `key`) still parses, and says nothing of a key.
    expect(parseEnrollmentUri(formatEnrollmentUri(invitation)).recoverKey).toBeUndefined();
    expect(parseEnrollmentUri(`${formatEnrollmentUri(invitation)}&key=0`).recoverKey).toBe(false);
    expect(() => parseEnrollmentUri(`${withKey}&key=1`)).toThrow(/"key" must be 1 or 0/);
    expect(() => parseEnrollmentUri(withKey.replace('key=1', 'key=yes'))).toThrow(/"key" must be 1 or 0/);
  });
});
