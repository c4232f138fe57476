/**
 * Browser mode's messages over the loopback WebSocket. The contract (channels, schemas, errors)
 * is the same as over Electron IPC; only this framing is specific to browser mode. The bridge
 * script imports this file, so it holds no schemas (the server checks calls with its own).
 */
import type { Envelope } from '../shared/errors';

export const WS_PATH = '/api';
export const WS_PROTOCOL = 'carddesk.v1';
/** The session token travels as a second subprotocol, so it never appears in a URL or a log line. */
export const TOKEN_PROTOCOL_PREFIX = 'carddesk.token.';
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export type ServerMessage =
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'protocolError'; message: string };
