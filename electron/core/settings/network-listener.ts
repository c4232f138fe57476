/**
 * The desk's network listener: one HTTP server for every service the desk offers to other
 * machines (the CA's CRLs, OCSP and certificate today), on the address and port an administrator
 * chose. It is off until turned on; changing it needs the vault unlocked and is audited. It
 * never serves the desk's own screens or calls: those stay on loopback (electron/host).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { CardDeskError } from '../../shared/errors';
import type { NetworkListenerSettings, NetworkListenerStatus } from '../../shared/schemas/network-listener';
import type { AuditTrail } from '../audit/audit-trail';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import type { DeskSettingsStore } from './desk-settings';

/** One service offered on the listener. */
export interface ListenerSite {
  /** The paths it serves, for people. */
  readonly paths: readonly string[];
  /** Answers the request and returns true, or returns false when the path is not its own. */
  handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

export interface NetworkListenerDeps {
  readonly settings: DeskSettingsStore;
  /** Changing the listener is an administrator's act: the vault must be unlocked. */
  readonly vaultUnlocked: () => boolean;
  readonly audit: AuditTrail;
  readonly log: Logger;
  readonly sites: readonly ListenerSite[];
}

export class NetworkListenerService {
  #server: Server | null = null;
  #listening: { address: string; port: number } | null = null;
  #problem: string | null = null;

  constructor(private readonly deps: NetworkListenerDeps) {}

  status(): NetworkListenerStatus {
    return {
      settings: this.deps.settings.load().networkListener,
      listening: this.#listening,
      problem: this.#problem,
      paths: this.deps.sites.flatMap((site) => site.paths),
    };
  }

  /** Starts the listener when the settings say so (at start-up); a failure is kept as the status's problem. */
  async apply(): Promise<NetworkListenerStatus> {
    await this.close();
    const settings = this.deps.settings.load().networkListener;
    if (settings.enabled) {
      try {
        await this.#listen(settings);
      } catch (error) {
        this.#problem = (error as Error).message;
        this.deps.log.warn('the network listener did not start', { error });
      }
    }
    return this.status();
  }

  /** Changes the setting (vault unlocked, audited) without touching a running listener. */
  async configure(next: NetworkListenerSettings, op: OperationContext): Promise<void> {
    if (!this.deps.vaultUnlocked()) throw new CardDeskError('VAULT_LOCKED', 'The vault is locked. Unlock it with the vault passphrase first: the network listener is changed by an administrator.');
    if (isIP(next.address) === 0) throw new CardDeskError('MALFORMED_INPUT', `${next.address} is not an IP address; use 0.0.0.0 (every interface) or one of this machine's addresses.`);
    const before = this.deps.settings.load().networkListener;
    this.deps.settings.update((settings) => ({ ...settings, networkListener: next }));
    await this.deps.audit.record({ action: 'settings.change', outcome: 'success', details: { setting: 'networkListener', from: describe(before), to: describe(next) }, ...op });
  }

  /** Changes the setting and follows it at once: stops, or (re)starts on the new address and port. */
  async update(next: NetworkListenerSettings, op: OperationContext): Promise<NetworkListenerStatus> {
    await this.configure(next, op);
    await this.close();
    if (next.enabled) {
      try {
        await this.#listen(next);
      } catch (error) {
        this.#problem = (error as Error).message;
        throw error;
      }
    }
    return this.status();
  }

  async #listen(settings: NetworkListenerSettings): Promise<void> {
    const server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => {
        this.deps.log.error('a network listener request failed', { error });
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new CardDeskError('PORT_UNAVAILABLE', `The network listener cannot listen on ${settings.address} port ${settings.port} (${error.code ?? error.message}).`)),
      );
      server.listen(settings.port, settings.address, () => resolve());
    });
    const address = server.address();
    this.#server = server;
    this.#listening = typeof address === 'object' && address !== null ? { address: address.address, port: address.port } : { address: settings.address, port: settings.port };
    this.#problem = null;
    this.deps.log.info('network listener started', this.#listening);
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = decodeURI(new URL(request.url ?? '/', 'http://listener').pathname);
    } catch {
      response.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad request.');
      return;
    }
    for (const site of this.deps.sites) {
      if (await site.handle(path, request, response)) return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found.');
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    this.#listening = null;
    this.#problem = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function describe(settings: NetworkListenerSettings): string {
  return settings.enabled ? `on ${settings.address}:${settings.port}` : 'off';
}
