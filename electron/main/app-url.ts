/** The renderer is served from a private, standard, secure scheme instead of file:// (Electron security checklist §18). */
export const APP_SCHEME = 'carddesk';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export function appUrl(surface: 'desk' | 'kiosk'): string {
  return surface === 'kiosk' ? `${APP_ORIGIN}/index.html#/kiosk` : `${APP_ORIGIN}/index.html`;
}

/** True only for URLs of the app's own origin. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}
