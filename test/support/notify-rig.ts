/** An outbox over a temporary vault with its key in memory, for the notification tests and the kill trials' victim. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { NotifySettingsStore } from '../../electron/core/notify/notify-settings';
import { NotificationOutbox } from '../../electron/core/notify/outbox';
import { NotificationSender } from '../../electron/core/notify/sender';
import { defaultTransports, type TransportOptions } from '../../electron/core/notify/transports';
import { VaultKeyring } from '../../electron/core/vault/keyring';
import { VaultAccess } from '../../electron/core/vault/vault-access';

export interface NotifyRig {
  readonly dir: string;
  readonly access: VaultAccess;
  readonly keyring: VaultKeyring;
  readonly audit: MemoryAuditTrail;
  readonly outbox: NotificationOutbox;
  readonly settings: NotifySettingsStore;
  readonly sender: NotificationSender;
  close(): Promise<void>;
}

export function notifyRig(options: { dir?: string; dek?: Buffer; transport?: TransportOptions } = {}): NotifyRig {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'carddesk-notify-'));
  const access = new VaultAccess(dir);
  const keyring = new VaultKeyring({ idleMinutes: 60 });
  keyring.unlock(Buffer.from(options.dek ?? randomBytes(32)));
  const audit = new MemoryAuditTrail();
  const outbox = new NotificationOutbox({ access, keyring, audit });
  const settings = new NotifySettingsStore(access, keyring, audit);
  const sender = new NotificationSender({ outbox, settings, audit, log: silentLogger, ready: () => keyring.unlocked, transports: defaultTransports({ timeoutMs: 5000, ...options.transport }) });
  return {
    dir,
    access,
    keyring,
    audit,
    outbox,
    settings,
    sender,
    close: async () => {
      await sender.stop();
      keyring.lock();
      await access.close();
    },
  };
}
