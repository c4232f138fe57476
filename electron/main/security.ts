import type { App, Session, WebContents } from 'electron';
import { isAppUrl } from './app-url';

/**
 * Applies Electron's security checklist to every web contents the app ever creates:
 * no new windows, no navigation away from the app, no <webview>, no devtools outside
 * development, and every permission request (camera, notifications, USB, …) denied.
 */
export function hardenWebContents(contents: WebContents, development: boolean): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  if (!development) contents.on('devtools-opened', () => contents.closeDevTools());
}

export function installSecurityPolicy(app: App, session: Session, development: boolean): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, development));
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  // The renderer never loads anything from the network: only its own scheme (and devtools in development).
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, development) }));
}

export function isAllowedRequest(url: string, development: boolean): boolean {
  if (isAppUrl(url) || url.startsWith('data:') || url.startsWith('blob:')) return true;
  return development && url.startsWith('devtools:');
}
