import { describe, expect, it } from 'vitest';
import { checkPublicBaseUrl, isLoopbackHost, proposedBaseUrl, publicUrls } from './public-urls';

describe('the published base URL', () => {
  it.each(['http://localhost/', 'http://LOCALHOST:8080/', 'http://desk.localhost/', 'http://127.0.0.1:2560/', 'http://127.1.2.3/', 'http://[::1]:80/', 'http://0.0.0.0/', 'http://[::ffff:127.0.0.1]/'])(
    'refuses the loopback address %s with a sentence',
    (url) => {
      expect(() => checkPublicBaseUrl(url)).toThrowError(expect.objectContaining({ code: 'PUBLIC_URL_REFUSED', message: expect.stringContaining('loopback') }) as Error);
    },
  );

  it.each(['not a url', 'ftp://pki.example.org/', 'http://user:pw@pki.example.org/', 'http://pki.example.org/?x=1'])('refuses %s', (url) => {
    expect(() => checkPublicBaseUrl(url)).toThrowError(expect.objectContaining({ code: 'PUBLIC_URL_REFUSED' }) as Error);
  });

  it('keeps a reachable address, with a trailing slash, and builds the CRL, OCSP and CA addresses from it', () => {
    const base = checkPublicBaseUrl('http://pki.example.org:8080/carddesk');
    expect(base).toBe('http://pki.example.org:8080/carddesk/');
    expect(publicUrls(base)).toEqual({
      crl: 'http://pki.example.org:8080/carddesk/crl/ca.crl',
      ocsp: 'http://pki.example.org:8080/carddesk/ocsp',
      caIssuers: 'http://pki.example.org:8080/carddesk/ca/issuing.cer',
    });
    expect(checkPublicBaseUrl('http://10.203.0.1:8080/')).toBe('http://10.203.0.1:8080/');
  });

  it('is proposed from the host name, never from a loopback one', () => {
    expect(proposedBaseUrl('desk7.example.org', 8080)).toBe('http://desk7.example.org:8080/');
    expect(proposedBaseUrl('Desk7', 80)).toBe('http://desk7/');
    expect(proposedBaseUrl('localhost')).toBeNull();
    expect(isLoopbackHost('pki.example.org')).toBe(false);
  });
});
