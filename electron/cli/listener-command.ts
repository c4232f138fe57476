/**
 * `carddesk listener status|set|run`: the desk's network listener, which serves the CA's CRLs,
 * OCSP and certificate to other machines over HTTP, and EST for mobile IDs over HTTPS on the TLS
 * port (issue 16). Off until an administrator turns it on (with the vault passphrase); `run`
 * serves in the foreground for a desk without a screen.
 */
import type { Command } from 'commander';
import type { NetworkListenerStatus } from '../shared/schemas/network-listener';
import { CaPublicationSite } from '../core/ca/publication-site';
import { createEstSite, createMobileIdService, listenerTlsCredentials } from '../core/mobile/mobile-wiring';
import { notifyServicesFor } from '../core/notify/notify-services';
import { NetworkListenerService } from '../core/settings/network-listener';
import type { VaultServices } from '../core/vault/vault-services';
import type { CliContext } from './cli-context';
import { positiveInteger } from './parse-options';
import { printJson, unlockVault, withVault } from './vault-session';

function listenerOf(cli: CliContext, services: VaultServices): NetworkListenerService {
  return new NetworkListenerService({
    settings: cli.settings,
    vaultUnlocked: () => services.keyring.unlocked,
    audit: services.audit,
    log: cli.log,
    sites: [new CaPublicationSite(services.ca, services.ocsp), createEstSite(services, createMobileIdService(services, cli.settings, cli.log), cli.log)],
    tlsCredentials: listenerTlsCredentials(services),
  });
}

/** `--tls-port N` or `--tls-port off`. */
function tlsPortOption(value: string): number | null {
  if (value === 'off') return null;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new Error(`--tls-port takes a port number (1-65535) or off, not ${value}`);
  return Number(value);
}

function formatStatus(status: NetworkListenerStatus): string {
  const { enabled, address, port } = status.settings;
  const { tlsPort, publicHost } = status.settings;
  const lines = [`Network listener: ${enabled ? `on, ${address} port ${port}` : 'off'}`];
  lines.push(`HTTPS (EST): ${tlsPort === undefined || tlsPort === null ? 'off' : `port ${tlsPort}`}${publicHost === undefined || publicHost === null ? '' : `, public host ${publicHost}`}`);
  if (status.estUrl !== undefined && status.estUrl !== null) lines.push(`EST URL: ${status.estUrl}`);
  if (status.listening !== null) lines.push(`Listening on ${status.listening.address} port ${status.listening.port}`);
  if (status.tlsListening !== undefined && status.tlsListening !== null) lines.push(`Listening for HTTPS on ${status.tlsListening.address} port ${status.tlsListening.port}`);
  if (status.problem !== null) lines.push(`${status.listening === null ? 'Not listening' : 'Problem'}: ${status.problem}`);
  lines.push(`Serves: ${status.paths.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export function registerListenerCommand(program: Command, cli: CliContext): void {
  const listener = program.command('listener').description('the network listener: CRLs, OCSP and the CA certificate for other machines (off until turned on)');

  listener
    .command('status')
    .option('--json', 'print machine-readable JSON')
    .description('show whether the network listener is on, and where')
    .action((o: { json?: boolean }) =>
      withVault(cli, (services) => {
        const status = listenerOf(cli, services).status();
        if (o.json === true) printJson(cli, status);
        else cli.out(formatStatus(status));
        return Promise.resolve();
      }),
    );

  listener
    .command('set')
    .option('--on', 'turn the listener on')
    .option('--off', 'turn the listener off')
    .option('--address <ip>', 'listen on this IP address (0.0.0.0: every interface)')
    .option('--port <n>', 'listen on this port', positiveInteger)
    .option('--tls-port <n>', 'serve HTTPS (EST for mobile IDs) on this port, or off', tlsPortOption)
    .option('--public-host <host>', 'the host name or IP address phones reach the desk at (the server certificate and the EST URL)')
    .description('turn the network listener on or off, or change its address, ports and public host (asks for the vault passphrase)')
    .action((o: { on?: boolean; off?: boolean; address?: string; port?: number; tlsPort?: number | null; publicHost?: string }) =>
      withVault(cli, async (services) => {
        if (o.on === true && o.off === true) throw new Error('give --on or --off, not both');
        const current = cli.settings.load().networkListener;
        const next = {
          enabled: o.on === true ? true : o.off === true ? false : current.enabled,
          address: o.address ?? current.address,
          port: o.port ?? current.port,
          ...(o.tlsPort === undefined ? {} : { tlsPort: o.tlsPort }),
          ...(o.publicHost === undefined ? {} : { publicHost: o.publicHost }),
        };
        await unlockVault(cli, services);
        const service = listenerOf(cli, services);
        // Only the setting changes here: the desk (the app, browser mode or `listener run`) listens.
        await service.configure(next, cli.operation);
        cli.out(formatStatus(service.status()));
      }),
    );

  listener
    .command('run')
    .description('serve on the network listener until interrupted (asks for the vault passphrase, for the OCSP key; with a TLS port the vault stays unlocked, as EST issues certificates)')
    .action(() =>
      withVault(cli, async (services) => {
        const service = listenerOf(cli, services);
        if (!service.status().settings.enabled) throw new Error('the network listener is off: turn it on with carddesk listener set --on');
        await unlockVault(cli, services);
        services.ocsp.prepare();
        const settings = service.status().settings;
        // The responder has its own key now; without EST the CA keys are forgotten. EST issues
        // certificates (and the server certificate's key is sealed in the vault): it stays unlocked.
        if (settings.tlsPort === undefined || settings.tlsPort === null) services.keyring.lock();
        const stopped = new Promise<void>((done) => {
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
        const status = await service.apply();
        if (status.listening === null) throw new Error(status.problem ?? 'the network listener did not start');
        cli.out(formatStatus(status));
        // With EST, the mobile ID mails (the QR by email, the holder's notices) go out while it serves.
        const sender = settings.tlsPort === undefined || settings.tlsPort === null ? null : notifyServicesFor(services, cli.log).sender;
        sender?.start();
        await stopped;
        await sender?.stop();
        await service.close();
      }),
    );
}
