/** The OCSP responder over HTTP on 127.0.0.1 (RFC 6960 Appendix A: POST, and GET with base64 in the path). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CardDeskError } from '../../shared/errors';
import type { Logger } from '../log/logger';
import type { OcspAnswer } from './ocsp-responder';

const MAX_REQUEST_BYTES = 64 * 1024;
const MALFORMED_REQUEST = Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]);

export interface RunningOcspServer {
  readonly port: number;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        resolve(null);
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', () => resolve(null));
  });
}

/**
 * Answers one OCSP request over HTTP: the DER request is the POST body, or (GET) the base64 in
 * `encoded`, the path after the responder's own address.
 */
export async function serveOcspRequest(request: IncomingMessage, response: ServerResponse, encoded: string, respond: (der: Buffer) => Promise<OcspAnswer>): Promise<void> {
  let body: Buffer | null;
  if (request.method === 'POST') body = await readBody(request);
  else if (request.method === 'GET') {
    const path = decodeURIComponent(encoded);
    body = path === '' ? null : Buffer.from(path, 'base64');
  } else {
    response.writeHead(405, { Allow: 'GET, POST' }).end();
    return;
  }
  const der = body === null || body.length === 0 ? MALFORMED_REQUEST : (await respond(body)).der;
  response.writeHead(200, { 'Content-Type': 'application/ocsp-response', 'Content-Length': der.length, 'Cache-Control': 'no-store' });
  response.end(der);
}

export async function startOcspServer(respond: (der: Buffer) => Promise<OcspAnswer>, port: number, log: Logger): Promise<RunningOcspServer> {
  const server: Server = createServer((request, response) => {
    serveOcspRequest(request, response, (request.url ?? '/').slice(1), respond).catch((error: unknown) => {
      log.error('OCSP request failed', { error });
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new CardDeskError('PORT_UNAVAILABLE', `The OCSP responder cannot listen on 127.0.0.1:${port} (${error.code ?? error.message}).`)),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
