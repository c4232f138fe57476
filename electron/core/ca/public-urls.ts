/**
 * The published base URL: where relying parties fetch the CA's CRLs, ask its OCSP responder and
 * find its certificate. Issued certificates keep these addresses for years, so a loopback
 * address (which would point every relying party at its own machine) is never accepted.
 */
import { BlockList, isIP } from 'node:net';
import { hostname } from 'node:os';
import { CardDeskError } from '../../shared/errors';

/** The port the network listener proposes when none was chosen. */
export const DEFAULT_LISTENER_PORT = 8080;

/** Paths below the base URL; the network listener serves the same ones. */
export const PUBLIC_PATHS = {
  crl: 'crl/ca.crl',
  deltaCrl: 'crl/ca-delta.crl',
  rootCrl: 'crl/root.crl',
  ocsp: 'ocsp',
  caIssuers: 'ca/issuing.cer',
} as const;

export interface PublicUrls {
  readonly crl: string;
  readonly ocsp: string;
  readonly caIssuers: string;
}

function refuse(text: string, why: string): never {
  throw new CardDeskError('PUBLIC_URL_REFUSED', `${JSON.stringify(text)} cannot be published in certificates: ${why}`);
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('0.0.0.0', 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addAddress('::', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6'); // IPv4-mapped loopback
loopback.addAddress('::ffff:0.0.0.0', 'ipv6');

/** True for names and addresses that mean "this machine" to whoever resolves them. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || name === 'localhost.localdomain') return true;
  const version = isIP(name);
  return version !== 0 && loopback.check(name, version === 4 ? 'ipv4' : 'ipv6');
}

/** Checks a base URL and returns it with a trailing slash; refuses with a sentence saying why. */
export function checkPublicBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return refuse(text, 'it is not a web address (write it like http://pki.example.org/).');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(text, 'relying parties fetch CRLs and ask OCSP over http:// (or https://).');
  if (url.username !== '' || url.password !== '') refuse(text, 'it must not contain a user name or password.');
  if (url.search !== '' || url.hash !== '') refuse(text, 'it must not contain a query (?) or fragment (#).');
  if (isLoopbackHost(url.hostname)) refuse(text, `${url.hostname} is a loopback address, which means "this machine" to every relying party; use a name or address others can reach.`);
  const base = url.href.endsWith('/') ? url.href : `${url.href}/`;
  if (base.length > 400) refuse(text, 'it is too long.');
  return base;
}

export function publicUrls(base: string): PublicUrls {
  return { crl: `${base}${PUBLIC_PATHS.crl}`, ocsp: `${base}${PUBLIC_PATHS.ocsp}`, caIssuers: `${base}${PUBLIC_PATHS.caIssuers}` };
}

/** The base URL proposed from this machine's host name, or null when the name is a loopback one. */
export function proposedBaseUrl(host: string = hostname(), port: number = DEFAULT_LISTENER_PORT): string | null {
  if (host === '' || isLoopbackHost(host) || !/^[A-Za-z0-9.-]+$/.test(host)) return null;
  return `http://${host.toLowerCase()}${port === 80 ? '' : `:${port}`}/`;
}
