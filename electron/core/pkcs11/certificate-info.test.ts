import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { certificateDetails, certificateFields, readableName } from './certificate-info';

/** openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -utf8 -set_serial 0x00c0ffee -subj "/C=XK/O=CardDesk\, Test/CN=Jane Doë" */
const pem = `-----BEGIN CERTIFICATE-----
MIIBujCCAV+gAwIBAgIEAMD/7jAKBggqhkjOPQQDAjA6MQswCQYDVQQGEwJYSzEX
MBUGA1UECgwOQ2FyZERlc2ssIFRlc3QxEjAQBgNVBAMMCUphbmUgRG/DqzAeFw0y
NjExMjIyMDAxMDFaFw0zNjExMTkyMDAxMDFaMDoxCzAJBgNVBAYTAlhLMRcwFQYD
VQQKDA5DYXJkRGVzaywgVGVzdDESMBAGA1UEAwwJSmFuZSBEb8OrMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEM+hO9CggXYt8aQHuNf3lk1UAxRU6VAX7pft19Ma3
8KK0Qo+uBJpuYNG6nc7hYU9QnWi1Z1P6RWhdrGlqJ9FsNKNTMFEwHQYDVR0OBBYE
FKyaDoKFqgjXblfhyKeKXwyAn2U7MB8GA1UdIwQYMBaAFKyaDoKFqgjXblfhyKeK
XwyAn2U7MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAPfbpYYY
Md3MIQkS3Z2GZ3GcUQzJRBY9jJFuUeH7QZrBAiEAjwzKQr9LoNL0mNivh7zlyA3h
vg5qt5SsyU1AvH/sgE0=
-----END CERTIFICATE-----`;
const der = new X509Certificate(pem).raw;

describe('certificates on a token', () => {
  it('shows names in RFC 4514 order, escaped, with UTF-8 intact', () => {
    expect(certificateDetails(der)).toEqual({
      subject: 'CN=Jane Doë, O=CardDesk\\, Test, C=XK',
      issuer: 'CN=Jane Doë, O=CardDesk\\, Test, C=XK',
      serialNumber: 'C0FFEE',
      notBefore: '2026-11-22T20:01:01.000Z',
      notAfter: '2036-11-19T20:01:01.000Z',
      fingerprintSha256: '5d13bab095ca6fbc2154406fa29be9a7e77772ff59ca7502c005108cd8fe57aa',
    });
    expect(readableName('C=XK\nO=Desk + UID=42\nCN=A\n')).toBe('CN=A, O=Desk + UID=42, C=XK');
  });

  it('says null for bytes that are not a certificate, rather than failing the listing', () => {
    expect(certificateDetails(Buffer.from('not a certificate'))).toBeNull();
    expect(certificateDetails(der.subarray(0, 100))).toBeNull();
  });

  it('extracts the DER of subject, issuer and serial for CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER', () => {
    const fields = certificateFields(der);
    // An independent parser (@peculiar/asn1-x509) agrees.
    const parsed = AsnConvert.parse(der, Certificate);
    expect(fields.subject).toEqual(Buffer.from(AsnConvert.serialize(parsed.tbsCertificate.subject)));
    expect(fields.issuer).toEqual(Buffer.from(AsnConvert.serialize(parsed.tbsCertificate.issuer)));
    expect(fields.serialNumber.toString('hex')).toBe('020400c0ffee');
  });

  it('refuses what is not a DER certificate', () => {
    expect(() => certificateFields(Buffer.from('30030201', 'hex'))).toThrow(/truncated/);
    expect(() => certificateFields(Buffer.concat([der, Buffer.from([0])]))).toThrow(/not a DER certificate/);
    expect(() => certificateFields(Buffer.from('300302010a', 'hex'))).toThrow(/not a DER certificate/);
  });
});
