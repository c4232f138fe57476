import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { malformedArgsFor } from '../../test/support/malformed-args';
import { stubHandlers } from '../../test/support/stub-handlers';
import { EventHub } from '../core/api/event-hub';
import type { ContractHandlers } from '../core/api/handlers';
import { silentLogger } from '../core/log/logger';
import { localConnection } from '../core/process/local-connection';
import { channelNames, channels } from '../shared/contract';
import { injectBridge, startHost, type RunningHost } from './server';
import { TOKEN_PROTOCOL_PREFIX, WS_PATH, WS_PROTOCOL, type ServerMessage } from './wire';

const handlers: ContractHandlers = stubHandlers({
  'app:info': (_args, context) => ({
    name: 'CardDesk',
    version: '0.0.0',
    dataDir: '/data',
    mode: 'browser',
    surface: context.surface,
    platform: 'linux',
  }),
  'readers:list': (_args, context) => {
    lastSource = context.source ?? null;
    return { service: { status: 'running', detail: null, retryAt: null }, readers: [] };
  },
});

let host: RunningHost;
const events = new EventHub();
/** The call source the last readers:list came with. */
let lastSource: string | null = null;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carddesk-host-'));
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<html><head><script type="module" src="./assets/app.js"></script></head></html>');
  writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'void 0');
  writeFileSync(join(dir, 'secret.js'), 'outside');
  writeFileSync(join(dir, 'bridge.js'), '/* bridge */');
  host = await startHost({
    core: localConnection(handlers, events, silentLogger),
    log: silentLogger,
    surface: 'desk',
    rendererDir: join(dir, 'renderer'),
    bridgeFile: join(dir, 'bridge.js'),
    port: 0,
  });
});

afterAll(() => host.close());

interface Session {
  ws: WebSocket;
  next(): Promise<ServerMessage>;
  call(channel: string, args?: unknown): Promise<ServerMessage>;
}

function open(options: { token?: string; origin?: string | null; hostHeader?: string; path?: string } = {}): Promise<Session> {
  const headers: Record<string, string> = {};
  const origin = options.origin === undefined ? host.origin : options.origin;
  if (origin !== null) headers['Origin'] = origin;
  if (options.hostHeader !== undefined) headers['Host'] = options.hostHeader;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${options.path ?? WS_PATH}`, [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${options.token ?? host.token}`], {
    headers,
  });
  const inbox: ServerMessage[] = [];
  const waiting: ((message: ServerMessage) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  const next = (): Promise<ServerMessage> => {
    const queued = inbox.shift();
    return queued ? Promise.resolve(queued) : new Promise((resolve) => waiting.push(resolve));
  };
  let id = 0;
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        next,
        call: (channel, args) => {
          ws.send(JSON.stringify({ id: ++id, channel, args }));
          return next();
        },
      }),
    );
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('error', reject);
  });
}

function httpGet(path: string, hostHeader?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: hostHeader ? { Host: hostHeader } : {} }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser-mode host: who may connect', () => {
  it('listens on 127.0.0.1 only and prints a URL with a long random token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('accepts the page origin with the right token', async () => {
    const session = await open();
    await expect(session.call('app:info')).resolves.toMatchObject({ type: 'result', envelope: { ok: true, value: { mode: 'browser' } } });
    session.ws.close();
  });

  it('refuses a wrong token', async () => {
    await expect(open({ token: 'x'.repeat(43) })).rejects.toThrow('HTTP 401');
    await expect(open({ token: '' })).rejects.toThrow('HTTP 401');
    await expect(open({ token: host.token.slice(0, -1) })).rejects.toThrow('HTTP 401');
  });

  it('refuses a wrong or missing origin, even with the right token', async () => {
    await expect(open({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(open({ origin: `http://127.0.0.1:${host.port + 1}` })).rejects.toThrow('HTTP 403');
    await expect(open({ origin: 'null' })).rejects.toThrow('HTTP 403');
    await expect(open({ origin: null })).rejects.toThrow('HTTP 403');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    await expect(open({ hostHeader: `rebind.example:${host.port}` })).rejects.toThrow('HTTP 403');
    expect((await httpGet('/', `rebind.example:${host.port}`)).status).toBe(421);
  });

  it('refuses other paths', async () => {
    await expect(open({ path: '/other' })).rejects.toThrow('HTTP 404');
  });
});

describe('browser-mode host: what a session may send', () => {
  const deskChannels = channelNames.filter((channel) => channels[channel].surfaces.includes('desk'));
  const kioskOnly = channelNames.filter((channel) => !channels[channel].surfaces.includes('desk'));

  it.each(kioskOnly)('refuses %s on the desk host, whatever the arguments (a kiosk-only channel)', async (channel) => {
    const session = await open();
    for (const args of [undefined, ...malformedArgsFor(channel)]) {
      const reply = await session.call(channel, args);
      expect(reply).toMatchObject({ type: 'result', envelope: { ok: false, error: { code: 'NOT_ON_THIS_SURFACE' } } });
    }
    session.ws.close();
  });

  it.each(deskChannels)('answers malformed arguments on %s with INVALID_ARGUMENTS and keeps going', async (channel) => {
    const session = await open();
    for (const args of malformedArgsFor(channel)) {
      const reply = await session.call(channel, args);
      expect(reply).toMatchObject({ type: 'result', envelope: { ok: false, error: { code: 'INVALID_ARGUMENTS' } } });
    }
    // The session survives all of it and answers the next call.
    await expect(session.call('app:info')).resolves.toMatchObject({ envelope: { ok: true } });
    session.ws.close();
  });

  it('answers unknown channels, non-JSON, non-calls and binary frames without crashing', async () => {
    const session = await open();
    await expect(session.call('vault:export')).resolves.toMatchObject({ envelope: { error: { code: 'UNKNOWN_CHANNEL' } } });
    await expect(session.call('__proto__')).resolves.toMatchObject({ envelope: { error: { code: 'UNKNOWN_CHANNEL' } } });
    session.ws.send('{not json');
    await expect(session.next()).resolves.toMatchObject({ type: 'protocolError' });
    session.ws.send(JSON.stringify({ id: 'one', channel: 'app:info' }));
    await expect(session.next()).resolves.toMatchObject({ type: 'protocolError' });
    session.ws.send(JSON.stringify([1, 2]));
    await expect(session.next()).resolves.toMatchObject({ type: 'protocolError' });
    session.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await expect(session.next()).resolves.toMatchObject({ type: 'protocolError' });
    await expect(session.call('app:info')).resolves.toMatchObject({ envelope: { ok: true } });
    session.ws.close();
  });

  it('closes a session that sends more than 1 MiB at once, and serves the next one', async () => {
    const session = await open();
    const closed = new Promise<number>((resolve) => session.ws.once('close', (code) => resolve(code)));
    session.ws.send(JSON.stringify({ id: 1, channel: 'app:info', args: 'x'.repeat(2 * 1024 * 1024) }));
    expect(await closed).toBe(1009);
    const again = await open();
    await expect(again.call('app:info')).resolves.toMatchObject({ envelope: { ok: true } });
    again.ws.close();
  });

  it('pushes events to every open session', async () => {
    const a = await open();
    const b = await open();
    events.emit('readers:readerRemoved', { name: 'Reader X' });
    await expect(a.next()).resolves.toEqual({ type: 'event', name: 'readers:readerRemoved', payload: { name: 'Reader X' } });
    await expect(b.next()).resolves.toEqual({ type: 'event', name: 'readers:readerRemoved', payload: { name: 'Reader X' } });
    a.ws.close();
    b.ws.close();
  });

  it('delivers an event that names a call source to that page only, without the name', async () => {
    const a = await open();
    const b = await open();
    await a.call('readers:list');
    const sourceOfA = lastSource;
    expect(sourceOfA).toMatch(/^desk-page:\d+$/);
    await b.call('readers:list');
    expect(lastSource).not.toBe(sourceOfA);
    // (kiosk:sessionEnded is such an event; any event may name its source.)
    events.emit('readers:cardRemoved', { name: 'Reader A', source: sourceOfA! } as never);
    events.emit('readers:readerRemoved', { name: 'Reader Y' });
    await expect(a.next()).resolves.toEqual({ type: 'event', name: 'readers:cardRemoved', payload: { name: 'Reader A' } });
    // b's next message is the event for everyone: the one for a never reached it.
    await expect(b.next()).resolves.toEqual({ type: 'event', name: 'readers:readerRemoved', payload: { name: 'Reader Y' } });
    a.ws.close();
    b.ws.close();
  });
});

describe('browser-mode host: what it serves', () => {
  it('serves the renderer with the bridge injected before the app and a strict CSP', async () => {
    const index = await httpGet('/');
    expect(index.status).toBe(200);
    expect(index.body.indexOf('/carddesk-bridge.js')).toBeLessThan(index.body.indexOf('./assets/app.js'));
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain(`ws://127.0.0.1:${host.port}`);
    expect((await httpGet('/carddesk-bridge.js')).body).toBe('/* bridge */');
  });

  it.each(['/../secret.js', '/%2e%2e/secret.js', '/assets/../../secret.js', '/missing.js'])('answers 404 for %s', async (path) => {
    expect((await httpGet(path)).status).toBe(404);
  });

  it('places the bridge script before the first script, or in the head', () => {
    expect(injectBridge('<head><script src="a.js"></script></head>')).toMatch(/carddesk-bridge\.js"><\/script>\n\s*<script src="a\.js">/);
    expect(injectBridge('<head></head>')).toBe('<head><script src="/carddesk-bridge.js"></script></head>');
  });
});
