/**
 * What the CA offers relying parties on the desk's network listener, at the paths the published
 * base URL names in its certificates (CDP, AIA): the CRLs as published (DER), the issuing CA's
 * certificate (DER, for caIssuers) and the OCSP responder (RFC 6960 Appendix A).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ListenerSite } from '../settings/network-listener';
import type { CaService } from './ca-service';
import type { OcspService } from './ocsp-service';
import { serveOcspRequest } from './ocsp-server';
import { PUBLIC_PATHS } from './public-urls';

const crlFiles: Readonly<Record<string, string>> = {
  [PUBLIC_PATHS.crl]: 'ca.crl',
  [PUBLIC_PATHS.deltaCrl]: 'ca-delta.crl',
  [PUBLIC_PATHS.rootCrl]: 'root.crl',
};

export class CaPublicationSite implements ListenerSite {
  readonly paths = Object.values(PUBLIC_PATHS).map((path) => `/${path}`);

  constructor(
    private readonly ca: CaService,
    private readonly ocsp: OcspService,
  ) {}

  /** The path below the base URL: the listener may sit behind a proxy that keeps the base URL's path, or not. */
  #relative(path: string): string {
    const base = this.ca.ready ? this.ca.state().publicBaseUrl : null;
    const prefix = base === null || base === undefined ? '/' : new URL(base).pathname;
    return (path.startsWith(prefix) ? path.slice(prefix.length) : path).replace(/^\/+/, '');
  }

  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    if (!this.ca.ready) return false;
    const relative = this.#relative(path);
    if (relative === PUBLIC_PATHS.ocsp || relative.startsWith(`${PUBLIC_PATHS.ocsp}/`)) {
      await serveOcspRequest(request, response, relative.slice(PUBLIC_PATHS.ocsp.length + 1), (der) => this.ocsp.answer(der));
      return true;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const send = (type: string, body: Buffer): void => {
      response.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'max-age=300' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    const crl = crlFiles[relative];
    if (crl !== undefined) {
      let body: Buffer;
      try {
        body = await readFile(join(this.ca.publishDir, crl));
      } catch {
        return false; // not published yet
      }
      send('application/pkix-crl', body);
      return true;
    }
    if (relative === PUBLIC_PATHS.caIssuers) {
      send('application/pkix-cert', this.ca.certificate('issuing').der);
      return true;
    }
    return false;
  }
}
