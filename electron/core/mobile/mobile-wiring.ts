/**
 * How the mobile ID parts are put together over one open vault: the service (its EST URL from the
 * listener's settings), the EST site for the listener, and the listener's TLS credentials. Used by
 * the CLI (`carddesk mobile …`, `carddesk listener run`) and by the app's core.
 */
import { CardDeskError } from '../../shared/errors';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import type { DeskSettingsStore } from '../settings/desk-settings';
import { ListenerCertificates, type TlsCredentials } from '../settings/listener-certificate';
import { publishedEstUrl } from '../settings/network-listener';
import type { VaultServices } from '../vault/vault-services';
import { EstSite, type EstBackend, type EstSiteOptions } from './est-site';
import { MobileIdService } from './mobile-id-service';
import { KeyEscrow } from '../lifecycle/key-escrow';
import { mobileIdNotices, unsentDeliveryFollower } from './mobile-delivery';
import { defaultIssuancePolicy, mobileIdDefaults } from '../../shared/schemas/lifecycle';
import { notifyServicesFor } from '../notify/notify-services';
import { NOTIFICATIONS } from '../notify/outbox';
import { silentLogger } from '../log/logger';

/** Who the listener acts as when it issues its own server certificate. */
const LISTENER_OPERATION: OperationContext = { actor: { kind: 'system', id: 'network-listener' }, channel: 'desk' };

/** The vaults whose cancel follower is registered (once per vault, however many services are made over it). */
const followed = new WeakSet<VaultServices>();

export function createMobileIdService(services: VaultServices, settings: DeskSettingsStore, log: Logger = silentLogger): MobileIdService {
  if (!followed.has(services)) {
    followed.add(services);
    // Read straight from the records: a follower runs inside a commit, where no service is to be made.
    services.access.followChanges(unsentDeliveryFollower(() => ({ get: (id) => services.access.storage().records.get<{ id: string; state: string }>(NOTIFICATIONS, id) })));
  }
  return new MobileIdService({
    // The issuance policy's mobile ID defaults, read at each issue (a policy change applies at once).
    defaults: () => mobileIdDefaults(services.access.storage().meta.settings.issuancePolicy ?? defaultIssuancePolicy),
    notices: mobileIdNotices({
      // The vault's one outbox (the app makes it after this service; the CLI when first needed).
      outbox: () => notifyServicesFor(services, log).outbox,
      holder: (id) => services.directory.index().get(id) ?? null,
      commit: (changes) => services.access.storage().records.commit(changes),
      onError: (error) => log.error('a mobile ID notice could not be queued', { error }),
    }),
    access: services.access,
    audit: services.audit,
    directory: services.directory,
    ca: services.ca,
    certificates: services.certificates,
    // The same escrow the card lifecycle recovers keys from (lifecycle-services.ts), for recoverKey.
    escrow: new KeyEscrow(services.access, services.keyring, services.audit),
    estUrl: () => {
      const url = publishedEstUrl(settings.load().networkListener);
      if (url === null) throw new CardDeskError('INVALID_STATE', 'Phones enrol over HTTPS: set the listener\u2019s TLS port and public host first (carddesk listener set --tls-port N --public-host H).');
      return url;
    },
  });
}

/** The EST site over a mobile ID service: the CA chain for cacerts (issuing, then root). */
export function createEstSite(services: VaultServices, mobile: MobileIdService, log: Logger, options: EstSiteOptions = {}): EstSite {
  const backend: EstBackend = {
    chain: () => (services.ca.ready ? services.ca.chain() : null),
    enroll: (label, mobileId, code, csrDer, source) => mobile.enroll(label, mobileId, code, csrDer, source),
    reenroll: (label, clientCertDer, csrDer, source) => mobile.reenroll(label, clientCertDer, csrDer, source),
    recoverKey: (mobileId, code, passphrase, source) => mobile.recoverKey(mobileId, code, passphrase, source),
  };
  return new EstSite(backend, log, options);
}

/** The listener's server certificate for a host (issued when missing or due); needs the vault unlocked. */
export function listenerTlsCredentials(services: VaultServices): (host: string) => Promise<TlsCredentials> {
  const certificates = new ListenerCertificates({ access: services.access, keyring: services.keyring, ca: services.ca, audit: services.audit });
  return (host) => {
    if (!services.ca.ready) return Promise.reject(new CardDeskError('CA_NOT_INITIALISED', 'there is no certificate authority yet'));
    if (!services.keyring.unlocked) return Promise.reject(new CardDeskError('VAULT_LOCKED', 'the vault is locked'));
    return certificates.credentials(host, LISTENER_OPERATION);
  };
}
