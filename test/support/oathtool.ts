/**
 * TOTP codes from `oathtool` (Debian package oathtool), the independent implementation the second
 * factor's tests check CardDesk against (RFC 6238).
 */
import { execFileSync } from 'node:child_process';

export interface OathtoolOptions {
  readonly algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
  readonly digits?: number;
  readonly period?: number;
}

/** The code `oathtool --totp` computes for a base32 (or hex) secret at `ms` (default: now). */
export function oathtool(secret: string | { hex: string }, ms: number = Date.now(), options: OathtoolOptions = {}): string {
  const args = [`--totp=${(options.algorithm ?? 'SHA1').toLowerCase()}`, '-d', String(options.digits ?? 6), '-s', `${options.period ?? 30}s`, '--now', `@${Math.floor(ms / 1000)}`];
  if (typeof secret === 'string') args.push('-b', secret);
  else args.push(secret.hex);
  return execFileSync('oathtool', args, { encoding: 'utf8' }).trim();
}
