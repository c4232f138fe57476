import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const PRODUCT_NAME = 'CardDesk';

/**
 * The data folder: `CARDDESK_HOME` when set, otherwise the same per-user folder Electron's
 * `app.getPath('userData')` gives, so the app, browser mode and the CLI share one vault.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const override = env['CARDDESK_HOME'];
  if (override !== undefined && override.trim() !== '') return resolve(override);
  const home = homedir();
  switch (platform) {
    case 'win32':
      return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
    case 'darwin':
      return join(home, 'Library', 'Application Support', PRODUCT_NAME);
    default:
      return join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), PRODUCT_NAME);
  }
}

export function logDirOf(dataDir: string): string {
  return join(dataDir, 'logs');
}
