/**
 * Browser mode: the same core services and the same contract, served on 127.0.0.1. The HTTP side
 * serves the built renderer (with the bridge script injected); the WebSocket side carries calls and
 * events. A connection needs the exact page origin and the per-run token; the Host header must be
 * the loopback address (no DNS rebinding).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Surface } from '../shared/schemas/app';
import type { Logger } from '../core/log/logger';
import type { CoreConnection } from '../core/process/core-client';
import { routeEvent } from '../core/api/event-routing';
import { securityHeaders } from '../core/web/content-security-policy';
import { equalSecrets } from '../smartcard/constant-time';
import { readStaticFile } from '../core/web/static-files';
import {
  MAX_MESSAGE_BYTES,
  TOKEN_PROTOCOL_PREFIX,
  WS_PATH,
  WS_PROTOCOL,
  type ServerMessage,
} from './wire';

export const BRIDGE_PATH = '/carddesk-bridge.js';

/**
 * A call from the page, `{ id, channel, args }`, or null for anything else. Checked by hand: this
 * process only forwards (the core checks each channel's arguments against the contract) and starts
 * faster without loading the schema library.
 */
function callOf(raw: unknown): { id: number; channel: string; args: unknown } | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const { id, channel, args } = raw as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
  if (typeof channel !== 'string' || channel.length > 100) return null;
  return { id, channel, args };
}

export interface HostOptions {
  /** The services: in the core process (the app), or in this process (tests). */
  readonly core: Pick<CoreConnection, 'call' | 'events'>;
  readonly log: Logger;
  readonly surface: Surface;
  /** The built renderer (dist/renderer). */
  readonly rendererDir: string;
  /** The built bridge script (dist/bridge/carddesk-bridge.js). */
  readonly bridgeFile: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Tests may fix it; otherwise 32 random bytes per run. */
  readonly token?: string;
}

export interface RunningHost {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The host did not get a TCP port.');
  const port = address.port;
  const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const headers = securityHeaders([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
  const indexHtml = injectBridge(await readFile(`${options.rendererDir}/index.html`, 'utf8'));

  const send = (response: ServerResponse, status: number, contentType: string, body: string | Buffer): void => {
    response.writeHead(status, { ...headers, 'Content-Type': contentType, 'Cache-Control': 'no-cache' });
    response.end(response.req.method === 'HEAD' ? undefined : body);
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      if (!hosts.has(request.headers.host ?? '')) return send(response, 421, 'text/plain', 'Wrong host.');
      if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'Method not allowed.');
      const path = new URL(request.url ?? '/', `http://${request.headers.host}`).pathname;
      if (path === '/' || path === '/index.html') return send(response, 200, 'text/html; charset=utf-8', indexHtml);
      if (path === BRIDGE_PATH) {
        return send(response, 200, 'text/javascript; charset=utf-8', await readFile(options.bridgeFile));
      }
      const file = await readStaticFile(options.rendererDir, path);
      if (file === null) return send(response, 404, 'text/plain', 'Not found.');
      return send(response, 200, file.contentType, file.body);
    })().catch((error: unknown) => {
      options.log.error('browser host request failed', { error });
      if (!response.headersSent) send(response, 500, 'text/plain', 'Internal error.');
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  const refuse = (socket: Duplex, status: 401 | 403 | 404, reason: string): void => {
    options.log.warn('refused a browser-mode connection', { reason });
    socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== WS_PATH) return refuse(socket, 404, 'unknown path');
    if (!hosts.has(request.headers.host ?? '')) return refuse(socket, 403, 'wrong host');
    if (!origins.has(request.headers.origin ?? '')) return refuse(socket, 403, 'wrong origin');
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const given = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length) ?? '';
    if (!equalSecrets(given, token)) return refuse(socket, 401, 'wrong token');
    wss.handleUpgrade(request, socket, head, (ws) => serveSession(ws));
  });

  /** Each open page and the call source its calls carry (kiosk sessions are bound to it). */
  const sessions = new Map<WebSocket, string>();
  const post = (ws: WebSocket, message: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  let sessionCount = 0;
  const serveSession = (ws: WebSocket): void => {
    // Named by surface: a desk page and a kiosk page served by one process never share a source.
    const source = `${options.surface}-page:${(sessionCount += 1)}`;
    sessions.set(ws, source);
    ws.on('close', () => sessions.delete(ws));
    ws.on('error', (error) => options.log.warn('browser session error', { error }));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return post(ws, { type: 'protocolError', message: 'Binary messages are not part of the protocol.' });
      let raw: unknown;
      try {
        raw = JSON.parse(textOf(data));
      } catch {
        return post(ws, { type: 'protocolError', message: 'A message was not valid JSON.' });
      }
      const call = callOf(raw);
      if (call === null) return post(ws, { type: 'protocolError', message: 'A message was not a call.' });
      const { id, channel, args } = call;
      void options.core.call(channel, args, { surface: options.surface, transport: 'websocket', source }).then(
        (envelope) => post(ws, { type: 'result', id, envelope }),
      );
    });
  };

  const unsubscribe = options.core.events.subscribe((name, payload) => {
    const routed = routeEvent(payload);
    for (const [ws, source] of sessions) {
      if (routed.source === null || routed.source === source) post(ws, { type: 'event', name, payload: routed.payload });
    }
  });

  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of sessions.keys()) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The bridge must define window.carddesk before the app's module script runs. */
export function injectBridge(html: string): string {
  const tag = `<script src="${BRIDGE_PATH}"></script>`;
  const at = html.indexOf('<script');
  if (at < 0) return html.replace('</head>', `${tag}</head>`);
  return `${html.slice(0, at)}${tag}\n    ${html.slice(at)}`;
}
