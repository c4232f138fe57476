/**
 * Where the desk sends its messages from: the SMTP server (its password sealed with the vault
 * key) and the SMS gateway. Kept in the vault's records (one record), changed with its audit
 * event in one journal line. The password never goes back out: the screens and the CLI learn
 * only whether one is set; the sender opens it for a send and forgets it.
 */
import type { NotifySetSettingsArgs, NotifySettingsView, SmsGatewaySettings, SmtpSecurity } from '../../shared/schemas/account-notify';
import type { AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { VaultKeyring } from '../vault/keyring';
import type { Sealed } from '../vault/sealing';
import type { VaultAccess } from '../vault/vault-access';

export const NOTIFY_SETTINGS = 'notifySettings';
const SETTINGS_ID = 'settings';
const PASSWORD_PURPOSE = 'notify-smtp-password';

interface StoredSmtp {
  readonly host: string;
  readonly port: number;
  readonly security: SmtpSecurity;
  readonly user: string;
  readonly password: Sealed | null;
  readonly fromAddress: string;
  readonly fromName: string;
}

interface StoredSettings {
  readonly id: string;
  readonly smtp: StoredSmtp | null;
  readonly sms: SmsGatewaySettings | null;
  readonly updatedAt: string;
}

/** What the sender needs for SMTP, the password opened (kept only for one send). */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  readonly security: SmtpSecurity;
  readonly user: string;
  readonly password: string | null;
  readonly fromAddress: string;
  readonly fromName: string;
}

export class NotifySettingsStore {
  constructor(
    private readonly access: VaultAccess,
    private readonly keyring: VaultKeyring,
    private readonly audit: AuditTrail,
  ) {}

  #stored(): StoredSettings | undefined {
    return this.access.storage().records.get<StoredSettings>(NOTIFY_SETTINGS, SETTINGS_ID);
  }

  view(): NotifySettingsView {
    const stored = this.#stored();
    const smtp = stored?.smtp ?? null;
    return {
      smtp: smtp === null ? null : { host: smtp.host, port: smtp.port, security: smtp.security, user: smtp.user, passwordSet: smtp.password !== null, fromAddress: smtp.fromAddress, fromName: smtp.fromName },
      sms: stored?.sms ?? null,
    };
  }

  /** The SMTP settings with the password opened (needs the vault unlocked when one is set), or null. */
  smtp(): SmtpConfig | null {
    const smtp = this.#stored()?.smtp ?? null;
    if (smtp === null) return null;
    let password: string | null = null;
    if (smtp.password !== null) {
      const opened = this.keyring.open(smtp.password, PASSWORD_PURPOSE);
      password = opened.toString('utf8');
      opened.fill(0);
    }
    return { host: smtp.host, port: smtp.port, security: smtp.security, user: smtp.user, password, fromAddress: smtp.fromAddress, fromName: smtp.fromName };
  }

  sms(): SmsGatewaySettings | null {
    return this.#stored()?.sms ?? null;
  }

  /** Changes the settings (a new password is sealed: the vault must be unlocked); audited without the password. */
  async set(change: NotifySetSettingsArgs, op: OperationContext): Promise<NotifySettingsView> {
    const before = this.#stored();
    const fields: string[] = [];
    let smtp = before?.smtp ?? null;
    if (change.smtp !== undefined) {
      if (change.smtp === null) {
        smtp = null;
        fields.push('smtp:removed');
      } else {
        const { password, ...rest } = change.smtp;
        const sealed = password === undefined ? (smtp?.password ?? null) : password === '' ? null : this.keyring.seal(Buffer.from(password, 'utf8'), PASSWORD_PURPOSE);
        for (const key of ['host', 'port', 'security', 'user', 'fromAddress', 'fromName'] as const) if (smtp?.[key] !== rest[key]) fields.push(`smtp.${key}`);
        if (password !== undefined) fields.push(password === '' ? 'smtp.passwordRemoved' : 'smtp.passwordSet');
        smtp = { ...rest, password: sealed };
      }
    }
    let sms = before?.sms ?? null;
    if (change.sms !== undefined) {
      if (change.sms === null) fields.push('sms:removed');
      else for (const key of ['url', 'method', 'template'] as const) if (sms?.[key] !== change.sms[key]) fields.push(`sms.${key}`);
      sms = change.sms;
    }
    const record: StoredSettings = { id: SETTINGS_ID, smtp, sms, updatedAt: new Date().toISOString() };
    await new ChangeRecorder(this.access, this.audit).commit([{ collection: NOTIFY_SETTINGS, id: SETTINGS_ID, record }], {
      action: 'settings.change',
      outcome: 'success',
      details: { area: 'notifications', fields: fields.join(',') || 'none' },
      ...op,
    });
    return this.view();
  }
}
