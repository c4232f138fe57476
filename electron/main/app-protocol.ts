import type { Protocol } from 'electron';
import { securityHeaders } from '../core/web/content-security-policy';
import { readStaticFile } from '../core/web/static-files';
import { APP_HOST, APP_SCHEME } from './app-url';

/** Must run before the app is ready: makes `carddesk://` a standard, secure origin. */
export function registerAppScheme(protocol: Protocol): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer from `rootDir`, with the app's CSP on every response. */
export function serveRenderer(protocol: Protocol, rootDir: string): void {
  const headers = securityHeaders();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found', { status: 404, headers });
    }
    const file = await readStaticFile(rootDir, url.pathname);
    if (file === null) return new Response('Not found', { status: 404, headers });
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: { ...headers, 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' },
    });
  });
}
