/**
 * The desk's network listener: one HTTP server for every service the desk offers to other
 * machines (the CA's CRLs, OCSP and certificate), on the address and port an administrator
 * chose, and an HTTPS server beside it on the TLS port when one is set (EST, issue 16), with a
 * server certificate from the desk's CA for the public host. It is off until turned on; changing
 * it needs the vault unlocked and is audited. It never serves the desk's own screens or calls:
 * those stay on loopback (electron/host).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { CardDeskError } from '../../shared/errors';
import { NetworkListenerSettingsSchema, type NetworkListenerSettings, type NetworkListenerStatus } from '../../shared/schemas/network-listener';
import type { AuditTrail } from '../audit/audit-trail';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import type { DeskSettingsStore } from './desk-settings';
import type { TlsCredentials } from './listener-certificate';

export type ListenerTransport = 'http' | 'https';

/** One service offered on the listener. */
export interface ListenerSite {
  /** The paths it serves, for people. */
  readonly paths: readonly string[];
  /** Where it is served: plain HTTP (the default: CRLs and OCSP are signed objects), HTTPS only (EST), or both. */
  readonly served?: ListenerTransport | 'both';
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
  /** The HTTPS server's key and certificate chain for the public host (issued when missing or due); absent: no HTTPS. */
  readonly tlsCredentials?: (publicHost: string) => Promise<TlsCredentials>;
}

/** The published EST base URL, or null without a TLS port and a public host. */
export function publishedEstUrl(settings: NetworkListenerSettings): string | null {
  if (settings.tlsPort === undefined || settings.tlsPort === null || settings.publicHost === undefined || settings.publicHost === null) return null;
  const host = isIP(settings.publicHost) === 6 ? `[${settings.publicHost}]` : settings.publicHost;
  return `https://${host}${settings.tlsPort === 443 ? '' : `:${settings.tlsPort}`}/.well-known/est`;
}

/** How often a running HTTPS server checks whether its certificate is due (it is renewed 30 days before its end). */
const TLS_CHECK_MS = 12 * 3_600_000;
/** How often HTTPS is tried again when it could not start. */
const TLS_RETRY_MS = 60_000;

export class NetworkListenerService {
  #server: Server | null = null;
  #tlsServer: HttpsServer | null = null;
  #tlsTimer: NodeJS.Timeout | null = null;
  #listening: { address: string; port: number } | null = null;
  #tlsListening: { address: string; port: number } | null = null;
  #problem: string | null = null;

  constructor(private readonly deps: NetworkListenerDeps) {}

  status(): NetworkListenerStatus {
    const settings = this.deps.settings.load().networkListener;
    return {
      settings,
      listening: this.#listening,
      tlsListening: this.#tlsListening,
      estUrl: publishedEstUrl(settings),
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
    // What a change leaves out of the TLS settings stays as it was (the screen sets only address and port).
    const merged: NetworkListenerSettings = { ...next, tlsPort: next.tlsPort === undefined ? (before.tlsPort ?? null) : next.tlsPort, publicHost: next.publicHost === undefined ? (before.publicHost ?? null) : next.publicHost };
    if (merged.tlsPort === null) delete (merged as { tlsPort?: number | null }).tlsPort;
    if (merged.publicHost === null) delete (merged as { publicHost?: string | null }).publicHost;
    if (merged.tlsPort !== undefined && merged.tlsPort === merged.port) throw new CardDeskError('MALFORMED_INPUT', `The TLS port must differ from the HTTP port (${merged.port}).`);
    const checked = NetworkListenerSettingsSchema.safeParse(merged);
    if (!checked.success) throw new CardDeskError('MALFORMED_INPUT', `The listener settings are not valid: ${checked.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    await this.deps.settings.update((settings) => ({ ...settings, networkListener: merged }));
    await this.deps.audit.record({ action: 'settings.change', outcome: 'success', details: { setting: 'networkListener', from: describe(before), to: describe(merged) }, ...op });
  }

  /** Changes the setting and follows it at once: stops, or (re)starts on the new address and port. */
  async update(next: NetworkListenerSettings, op: OperationContext): Promise<NetworkListenerStatus> {
    await this.configure(next, op);
    await this.close();
    if (next.enabled) {
      try {
        await this.#listen(this.deps.settings.load().networkListener);
      } catch (error) {
        this.#problem = (error as Error).message;
        throw error;
      }
    }
    return this.status();
  }

  async #listen(settings: NetworkListenerSettings): Promise<void> {
    const server = createServer((request, response) => {
      this.#serve(request, response, 'http').catch((error: unknown) => {
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
    if (settings.tlsPort !== undefined && settings.tlsPort !== null) await this.#startTls(settings, settings.tlsPort, server);
  }

  /**
   * HTTP goes on serving when HTTPS cannot start (no public host, the vault locked): the problem
   * says why, and it is tried again every minute while the HTTP server runs (the vault unlocked
   * later, in the app).
   */
  async #startTls(settings: NetworkListenerSettings, tlsPort: number, http: Server): Promise<void> {
    try {
      await this.#listenTls(settings, tlsPort);
      if (this.#problem?.startsWith('HTTPS is not served') === true) this.#problem = null;
    } catch (error) {
      const problem = `HTTPS is not served: ${(error as Error).message}`;
      if (problem !== this.#problem) this.deps.log.warn('the network listener did not start HTTPS', { error });
      this.#problem = problem;
      const retry = setTimeout(() => {
        if (this.#server === http && this.#tlsServer === null) void this.#startTls(settings, tlsPort, http);
      }, TLS_RETRY_MS);
      retry.unref();
    }
  }

  async #listenTls(settings: NetworkListenerSettings, tlsPort: number): Promise<void> {
    if (settings.publicHost === undefined || settings.publicHost === null) throw new CardDeskError('INVALID_STATE', 'set the public host name (carddesk listener set --public-host) for the server certificate');
    if (this.deps.tlsCredentials === undefined) throw new CardDeskError('INVALID_STATE', 'this desk cannot issue its server certificate');
    const host = settings.publicHost;
    const credentials = await this.deps.tlsCredentials(host);
    // TLS 1.2 and later; a client certificate is asked for but not required: EST re-enrollment checks it itself.
    const server = createHttpsServer({ key: credentials.key, cert: credentials.cert, minVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: false }, (request, response) => {
      this.#serve(request, response, 'https').catch((error: unknown) => {
        this.deps.log.error('a network listener request failed', { error });
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    // A failed handshake (an old TLS version, garbage) ends that connection only.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new CardDeskError('PORT_UNAVAILABLE', `The network listener cannot listen on ${settings.address} port ${tlsPort} (${error.code ?? error.message}).`)),
      );
      server.listen(tlsPort, settings.address, () => resolve());
    });
    if (this.#server === null) {
      // Closed while the certificate was being made.
      server.close();
      return;
    }
    const address = server.address();
    this.#tlsServer = server;
    this.#tlsListening = typeof address === 'object' && address !== null ? { address: address.address, port: address.port } : { address: settings.address, port: tlsPort };
    this.deps.log.info('network listener started HTTPS', { ...this.#tlsListening, certificate: credentials.serial });
    let serial = credentials.serial;
    this.#tlsTimer = setInterval(() => {
      this.deps.tlsCredentials?.(host).then(
        (next) => {
          if (next.serial === serial || this.#tlsServer !== server) return;
          serial = next.serial;
          server.setSecureContext({ key: next.key, cert: next.cert });
          this.deps.log.info('network listener server certificate renewed', { certificate: next.serial });
        },
        (error: unknown) => this.deps.log.warn('the network listener could not renew its server certificate', { error }),
      );
    }, TLS_CHECK_MS);
    this.#tlsTimer.unref();
  }

  async #serve(request: IncomingMessage, response: ServerResponse, transport: ListenerTransport): Promise<void> {
    let path: string;
    try {
      path = decodeURI(new URL(request.url ?? '/', 'http://listener').pathname);
    } catch {
      response.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad request.');
      return;
    }
    for (const site of this.deps.sites) {
      const served = site.served ?? 'http';
      if (served !== 'both' && served !== transport) continue;
      if (await site.handle(path, request, response)) return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found.');
  }

  async close(): Promise<void> {
    const servers = [this.#server, this.#tlsServer];
    this.#server = null;
    this.#tlsServer = null;
    this.#listening = null;
    this.#tlsListening = null;
    this.#problem = null;
    if (this.#tlsTimer !== null) clearInterval(this.#tlsTimer);
    this.#tlsTimer = null;
    for (const server of servers) {
      if (server === null) continue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

function describe(settings: NetworkListenerSettings): string {
  if (!settings.enabled) return 'off';
  const tls = settings.tlsPort === undefined || settings.tlsPort === null ? '' : `, https ${settings.tlsPort}${settings.publicHost === undefined || settings.publicHost === null ? '' : ` as ${settings.publicHost}`}`;
  return `on ${settings.address}:${settings.port}${tls}`;
}
