/** Talks to a running browser-mode host (dist/host.cjs) the way the page does. */
import WebSocket from 'ws';
import { TOKEN_PROTOCOL_PREFIX, WS_PATH, WS_PROTOCOL, type ServerMessage } from '../../electron/host/wire';
import type { HostProcess } from './host-process';

export interface Session {
  call(channel: string, args?: unknown): Promise<Extract<ServerMessage, { type: 'result' }>>;
  close(): void;
}

/** A browser-mode session over the host's WebSocket, as the page opens it (token, origin). */
export function openHostSession(host: HostProcess): Promise<Session> {
  const token = new URL(host.url).searchParams.get('token') ?? '';
  const ws = new WebSocket(`ws://127.0.0.1:${new URL(host.url).port}${WS_PATH}`, [WS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], { headers: { Origin: host.origin } });
  const pending = new Map<number, (message: Extract<ServerMessage, { type: 'result' }>) => void>();
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    if (message.type === 'result') pending.get(message.id)?.(message);
  });
  let id = 0;
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        call: (channel, args) =>
          new Promise((done) => {
            id += 1;
            pending.set(id, done);
            ws.send(JSON.stringify({ id, channel, args }));
          }),
        close: () => ws.close(),
      }),
    );
    ws.once('error', reject);
  });
}
