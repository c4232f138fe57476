/** A SoftHSM2 token in a temporary folder (SOFTHSM2_CONF), for the PKCS#11-held CA key. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempHome } from './vault-fixtures';

export const SOFTHSM_MODULE = process.env['CARDDESK_SOFTHSM'] ?? '/usr/lib/softhsm/libsofthsm2.so';

export function softhsmAvailable(): boolean {
  return existsSync(SOFTHSM_MODULE);
}

/** Creates a config and a token; sets SOFTHSM2_CONF for this process and the workers it starts. */
export function softhsmToken(label: string, pin: string): { conf: string } {
  const dir = tempHome('carddesk-softhsm-');
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env['SOFTHSM2_CONF'] = conf;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', `${pin}so`], { env: process.env, stdio: 'pipe' });
  return { conf };
}
