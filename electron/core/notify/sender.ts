/**
 * Drains the outbox: sends each due message (email or SMS), marks it sent once the server
 * accepted it, and on failure tries again after a backoff, giving up after the last try (then
 * it shows as failed in Settings → Notifications and in the audit log). One message at a time:
 * a mark is durable before the next send starts, so a stop resends at most the message under
 * way, with its Message-ID. Runs while the vault is unlocked; woken by the outbox and a timer.
 */
import { randomUUID } from 'node:crypto';
import type { NotifyTestArgs, NotifyTestResult } from '../../shared/schemas/account-notify';
import type { AuditTrail } from '../audit/audit-trail';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import { renderMessage } from './notification-texts';
import type { NotifySettingsStore } from './notify-settings';
import { newMessageId, type NotificationOutbox, type NotificationRecord } from './outbox';
import { defaultTransports, SendError, type Transports } from './transports';

/** A QR code as a PNG image (the mobile ID's enrollment link, attached to its email). */
async function qrPng(text: string): Promise<Buffer> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
}

export interface SenderOptions {
  readonly outbox: NotificationOutbox;
  readonly settings: NotifySettingsStore;
  readonly audit: AuditTrail;
  readonly log: Logger;
  /** Whether messages may be sent now (the vault open and unlocked). */
  readonly ready: () => boolean;
  readonly transports?: Transports;
  /** How often it looks for due messages without being woken. */
  readonly intervalMs?: number;
}

export interface DrainResult {
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
  /** Due, but their channel has no settings: they wait. */
  readonly waiting: number;
}

export class NotificationSender {
  readonly #transports: Transports;
  #running: Promise<DrainResult> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #stopWake: (() => void) | null = null;
  #stopped = false;

  constructor(private readonly options: SenderOptions) {
    this.#transports = options.transports ?? defaultTransports();
  }

  /** Looks for due messages on a timer and whenever the outbox is woken. */
  start(): void {
    this.#stopped = false;
    this.#stopWake ??= this.options.outbox.onWake(() => this.kick());
    this.#timer ??= setInterval(() => this.kick(), this.options.intervalMs ?? 15_000);
    this.#timer.unref();
    this.kick();
  }

  /** Stops the timer and waits for a drain under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#stopWake?.();
    this.#stopWake = null;
    await this.#running?.catch(() => undefined);
  }

  /** Starts a drain unless one runs (then it runs once more after it). */
  kick(): void {
    if (this.#stopped || !this.options.ready()) return;
    if (this.#running !== null) {
      this.#again = true;
      return;
    }
    this.drain().catch((error: unknown) => this.options.log.error('the notification outbox could not be drained', { error }));
  }

  /** Sends every message due now; resolves when the outbox has nothing more due. */
  drain(): Promise<DrainResult> {
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    const run = this.#drainLoop().finally(() => {
      this.#running = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.kick();
      }
    });
    this.#running = run;
    return run;
  }

  async #drainLoop(): Promise<DrainResult> {
    const totals = { sent: 0, retried: 0, failed: 0, waiting: 0 };
    const skipped = new Set<string>();
    for (;;) {
      this.#again = false;
      const due = this.options.outbox.due().filter((record) => !skipped.has(record.id));
      if (due.length === 0 || this.#stopped || !this.options.ready()) return totals;
      for (const record of due) {
        if (this.#stopped || !this.options.ready()) return totals;
        const outcome = await this.#sendOne(record);
        if (outcome === 'waiting') skipped.add(record.id);
        totals[outcome] += 1;
      }
    }
  }

  async #sendOne(record: NotificationRecord): Promise<'sent' | 'retried' | 'failed' | 'waiting'> {
    const { outbox, settings } = this.options;
    let accepted = false;
    try {
      const content = outbox.render(record);
      if (record.channel === 'email') {
        const smtp = settings.smtp();
        if (smtp === null) return 'waiting';
        const attachments = content.qr === undefined ? {} : { attachments: [{ filename: 'mobile-id-qr.png', content: await qrPng(content.qr), contentType: 'image/png', cid: 'mobile-id-qr@carddesk' }] };
        await this.#transports.email(smtp, { to: record.to, subject: content.subject, text: content.text, messageId: record.messageId, language: record.language, ...attachments });
      } else {
        const gateway = settings.sms();
        if (gateway === null) return 'waiting';
        await this.#transports.sms(gateway, record.to, content.sms);
      }
      accepted = true;
      await outbox.markSent(record.id);
      return 'sent';
    } catch (error) {
      // Accepted but not marked (the disk failed): left queued, sent again with its Message-ID.
      if (accepted) throw error;
      const reason = error instanceof SendError ? `${error.reason}: ${error.message}` : error instanceof Error ? error.message : String(error);
      this.options.log.warn('a notification could not be sent', { message: record.id, kind: record.kind, channel: record.channel, attempt: record.attempts + 1, error: reason });
      const after = await outbox.markAttemptFailed(record.id, reason);
      return after?.state === 'failed' ? 'failed' : 'retried';
    }
  }

  /** Sends a test message now (not through the outbox) and says how it went; audited. */
  async sendTest(args: NotifyTestArgs, op: OperationContext): Promise<NotifyTestResult> {
    const language = args.language ?? 'en';
    const content = renderMessage('test', language, {});
    const messageId = newMessageId();
    let result: NotifyTestResult;
    try {
      let response: string;
      if (args.channel === 'email') {
        const smtp = this.options.settings.smtp();
        if (smtp === null) throw new SendError('notConfigured', 'no SMTP server is set');
        response = await this.#transports.email(smtp, { to: args.to, subject: content.subject, text: content.text, messageId, language });
      } else {
        const gateway = this.options.settings.sms();
        if (gateway === null) throw new SendError('notConfigured', 'no SMS gateway is set');
        response = await this.#transports.sms(gateway, args.to, content.sms);
      }
      result = { ok: true, messageId, response: response.slice(0, 300) };
    } catch (error) {
      const failure = error instanceof SendError ? error : new SendError('unreachable', error instanceof Error ? error.message : String(error));
      result = { ok: false, reason: failure.reason, error: failure.message.slice(0, 300) };
    }
    await this.options.audit.record({
      action: 'notify.send',
      outcome: result.ok ? 'success' : 'failure',
      reason: result.ok ? 'test' : result.reason,
      details: { kind: 'test', channel: args.channel, message: randomUUID(), ...(result.ok ? {} : { error: result.error }) },
      ...op,
    });
    return result;
  }
}
