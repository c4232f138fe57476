/**
 * The enrollment QR code both ways. Drawn: the SVG data URL the desk's dialog and the kiosk show
 * (one drawing for both). Read, the reference client's way in: a PNG image (a photo of the screen
 * saved as PNG, or the file `carddesk mobile issue --qr-png` writes), or a text file holding the
 * URI the code encodes. PNG is decoded with pngjs and the code read with jsQR.
 */
import jsQR from 'jsqr';
// @ts-expect-error pngjs ships no type declarations; the part used here is typed below (PngModule).
import * as pngjsUntyped from 'pngjs';
import QRCode from 'qrcode';
import { CardDeskError } from '../../shared/errors';
import { parseEnrollmentUri, type EnrollmentInvitation } from './enrollment-uri';

interface DecodedPng {
  readonly width: number;
  readonly height: number;
  /** RGBA, 8 bits per channel, row after row (pngjs normalises every colour type to this). */
  readonly data: Buffer;
}
interface PngParser {
  parse(data: Buffer, callback: (error: Error | null, png: DecodedPng) => void): void;
}
interface PngModule {
  readonly PNG: new () => PngParser;
}
const { PNG } = pngjsUntyped as unknown as PngModule;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A QR code's image needs no more than this; a larger "image" is refused before it is decoded. */
const MAX_PNG_BYTES = 20 * 1024 * 1024;
const MAX_PIXELS = 40_000_000;
const MAX_TEXT_BYTES = 4096;

/** An enrollment URI's QR code as an SVG data URL (error correction M, the standard quiet zone). */
export async function svgQrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

export function isPng(bytes: Buffer): boolean {
  return bytes.length >= PNG_SIGNATURE.length && bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
}

function unreadable(why: string, cause?: unknown): CardDeskError {
  return new CardDeskError('MALFORMED_INPUT', `The QR code image cannot be read: ${why}.`, cause === undefined ? undefined : { cause });
}

/** The text a PNG image's QR code holds. */
export async function decodeQrPng(png: Buffer): Promise<string> {
  if (!isPng(png)) throw unreadable('it is not a PNG file');
  if (png.length > MAX_PNG_BYTES) throw unreadable('the file is larger than 20 MB');
  // The IHDR chunk comes first (PNG §11.2.2): refuse huge dimensions before inflating anything.
  if (png.length >= 24) {
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    if (width * height > MAX_PIXELS) throw unreadable(`the image is too large (${width} × ${height} pixels)`);
  }
  const image = await new Promise<DecodedPng>((resolve, reject) => {
    new PNG().parse(png, (error, decoded) => (error === null ? resolve(decoded) : reject(unreadable('the PNG data is damaged', error))));
  });
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.width * image.height * 4);
  const found = jsQR(pixels, image.width, image.height, { inversionAttempts: 'attemptBoth' });
  if (found === null) throw unreadable('no QR code was found in the image');
  return found.data;
}

/**
 * The invitation in a file given with `--qr`: a PNG image of the code, or a text file holding the
 * `carddesk-mobile:` URI. Throws MALFORMED_INPUT (never echoing the file, which holds the code).
 */
export async function readInvitationFile(bytes: Buffer): Promise<EnrollmentInvitation> {
  if (isPng(bytes)) return parseEnrollmentUri(await decodeQrPng(bytes));
  if (bytes.length > MAX_TEXT_BYTES) throw new CardDeskError('MALFORMED_INPUT', 'The file given with --qr is neither a PNG image nor a short text file holding the enrollment URI.');
  return parseEnrollmentUri(bytes.toString('utf8'));
}
