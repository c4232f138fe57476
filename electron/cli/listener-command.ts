/**
 * `carddesk listener status|set|run`: the desk's network listener, which serves the CA's CRLs,
 * OCSP and certificate to other machines. Off until an administrator turns it on (with the
 * vault passphrase); `run` serves in the foreground for a desk without a screen.
 */
import type { Command } from 'commander';
import type { NetworkListenerStatus } from '../shared/schemas/network-listener';
import { CaPublicationSite } from '../core/ca/publication-site';
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
    sites: [new CaPublicationSite(services.ca, services.ocsp)],
  });
}

function formatStatus(status: NetworkListenerStatus): string {
  const { enabled, address, port } = status.settings;
  const lines = [`Network listener: ${enabled ? `on, ${address} port ${port}` : 'off'}`];
  if (status.listening !== null) lines.push(`Listening on ${status.listening.address} port ${status.listening.port}`);
  if (status.problem !== null) lines.push(`Not listening: ${status.problem}`);
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
    .description('turn the network listener on or off, or change its address and port (asks for the vault passphrase)')
    .action((o: { on?: boolean; off?: boolean; address?: string; port?: number }) =>
      withVault(cli, async (services) => {
        if (o.on === true && o.off === true) throw new Error('give --on or --off, not both');
        const current = cli.settings.load().networkListener;
        const next = { enabled: o.on === true ? true : o.off === true ? false : current.enabled, address: o.address ?? current.address, port: o.port ?? current.port };
        await unlockVault(cli, services);
        const service = listenerOf(cli, services);
        // Only the setting changes here: the desk (the app, browser mode or `listener run`) listens.
        await service.configure(next, cli.operation);
        cli.out(formatStatus(service.status()));
      }),
    );

  listener
    .command('run')
    .description('serve on the network listener until interrupted (asks for the vault passphrase, for the OCSP key)')
    .action(() =>
      withVault(cli, async (services) => {
        const service = listenerOf(cli, services);
        if (!service.status().settings.enabled) throw new Error('the network listener is off: turn it on with carddesk listener set --on');
        await unlockVault(cli, services);
        services.ocsp.prepare();
        // The responder has its own key now; the CA keys are forgotten.
        services.keyring.lock();
        const stopped = new Promise<void>((done) => {
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
        const status = await service.apply();
        if (status.listening === null) throw new Error(status.problem ?? 'the network listener did not start');
        cli.out(formatStatus(status));
        await stopped;
        await service.close();
      }),
    );
}
