import type { Surface } from '../../shared/schemas/app';

/** Who is calling, as established by the transport (never by the caller's own claim). */
export interface CallContext {
  readonly surface: Surface;
  readonly transport: 'ipc' | 'websocket';
}
