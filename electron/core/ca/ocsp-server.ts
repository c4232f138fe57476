/** The OCSP responder over HTTP on 127.0.0.1 (RFC 6960 Appendix A: POST, and GET with base64 in the path). */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { CardDeskError } from '../../shared/errors';
import type { Logger } from '../log/logger';
import type { OcspAnswer, OcspResponder } from './ocsp-responder';

const MAX_REQUEST_BYTES = 64 * 1024;

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

export async function startOcspServer(
  responder: OcspResponder,
  port: number,
  log: Logger,
  onAnswer: (answer: OcspAnswer) => void = () => {},
): Promise<RunningOcspServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      let body: Buffer | null;
      if (request.method === 'POST') body = await readBody(request);
      else if (request.method === 'GET') {
        const path = decodeURIComponent((request.url ?? '/').slice(1));
        body = path === '' ? null : Buffer.from(path, 'base64');
      } else {
        response.writeHead(405, { Allow: 'GET, POST' }).end();
        return;
      }
      const answer = body === null || body.length === 0 ? null : await responder.respond(body);
      const der = answer?.der ?? Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]); // malformedRequest
      if (answer !== null) onAnswer(answer);
      response.writeHead(200, { 'Content-Type': 'application/ocsp-response', 'Content-Length': der.length, 'Cache-Control': 'no-store' });
      response.end(der);
    })().catch((error: unknown) => {
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
