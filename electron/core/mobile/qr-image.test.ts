import { describe, expect, it } from 'vitest';
import QRCode from 'qrcode';
import { CardDeskError } from '../../shared/errors';
import { formatEnrollmentUri, type EnrollmentInvitation } from './enrollment-uri';
import { decodeQrPng, readInvitationFile } from './qr-image';

const invitation: EnrollmentInvitation = {
  estUrl: 'https://desk.example.org:8443/.well-known/est',
  mobileId: 'm-5c21de',
  code: 'Hx7Qp2Lm9Zt4Rv8sYw3nKc6JdFgA1bE5',
  caSha256: 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
  labels: ['auth', 'sign'],
};

describe('the enrollment QR code read from a PNG image', () => {
  it('reads back the invitation from a PNG the qrcode package drew', async () => {
    const uri = formatEnrollmentUri(invitation);
    const png = await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
    expect(await decodeQrPng(png)).toBe(uri);
    expect(await readInvitationFile(png)).toEqual(invitation);
  });

  it('reads a dark-on-light code drawn inverted (light on dark) too', async () => {
    const uri = formatEnrollmentUri({ ...invitation, labels: ['enc'] });
    const png = await QRCode.toBuffer(uri, { type: 'png', color: { dark: '#ffffffff', light: '#000000ff' } });
    expect((await readInvitationFile(png)).labels).toEqual(['enc']);
  });

  it('takes a text file holding the URI', async () => {
    expect(await readInvitationFile(Buffer.from(`${formatEnrollmentUri(invitation)}\n`))).toEqual(invitation);
  });

  it('says plainly when an image holds no QR code, and never echoes the file', async () => {
    // A blank PNG: a QR code of a short text, with every module painted light by drawing it light on light.
    const blank = await QRCode.toBuffer('x', { type: 'png', color: { dark: '#ffffffff', light: '#ffffffff' } });
    const failure = await decodeQrPng(blank).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(CardDeskError);
    expect((failure as CardDeskError).message).toMatch(/no QR code was found/);

    const damaged = await QRCode.toBuffer(formatEnrollmentUri(invitation), { type: 'png' });
    const cut = damaged.subarray(0, 60);
    await expect(decodeQrPng(cut)).rejects.toThrow(/cannot be read/);

    const notUri = await readInvitationFile(Buffer.from(`https://example.org/?code=${invitation.code}`)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(notUri).toBeInstanceOf(CardDeskError);
    expect((notUri as CardDeskError).message).not.toContain(invitation.code);
  });
});
