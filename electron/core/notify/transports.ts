/**
 * The two ways a message leaves the desk: email through an SMTP server (nodemailer) and SMS
 * through an HTTP gateway. Each resolves once the server or gateway accepted the message, and
 * rejects with a SendError saying, in one word, why not.
 */
import type { ConnectionOptions } from 'node:tls';
import type { SmsGatewaySettings } from '../../shared/schemas/account-notify';
import type { SmtpConfig } from './notify-settings';

export type SendFailure = 'notConfigured' | 'refused' | 'unreachable' | 'tls' | 'auth';

export class SendError extends Error {
  constructor(
    readonly reason: SendFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** `<…@…>`, the same on every copy of the message. */
  readonly messageId: string;
  readonly language: string;
  /** Files to attach (a mobile ID's QR code as PNG, shown inline by its content id). */
  readonly attachments?: readonly { readonly filename: string; readonly content: Buffer; readonly contentType: string; readonly cid?: string }[];
}

export interface Transports {
  email(config: SmtpConfig, message: EmailMessage): Promise<string>;
  sms(gateway: SmsGatewaySettings, to: string, text: string): Promise<string>;
}

function classify(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const e = error as { code?: string; responseCode?: number; message?: string };
  const message = (e.message ?? String(error)).replace(/\s+/g, ' ').slice(0, 300);
  if (e.code === 'EAUTH') return new SendError('auth', message);
  if (e.code === 'ETLS' || /certificate|ssl|tls/i.test(message)) return new SendError('tls', message);
  if (e.code === 'ECONNECTION' || e.code === 'ETIMEDOUT' || e.code === 'ESOCKET' || e.code === 'EDNS' || e.code === 'ECONNREFUSED') return new SendError('unreachable', message);
  if (typeof e.responseCode === 'number' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new SendError('refused', message);
  return new SendError('unreachable', message);
}

/** Fills `{{to}}` and `{{text}}` in a gateway template, each value encoded for where it goes. */
export function fillTemplate(template: string, values: { to: string; text: string }, encode: (value: string) => string): string {
  return template.replace(/\{\{\s*(to|text)\s*\}\}/g, (_match, name: 'to' | 'text') => encode(values[name]));
}

/** The request an SMS gateway gets for one message. */
export function gatewayRequest(gateway: SmsGatewaySettings, to: string, text: string): { url: string; init: RequestInit } {
  if (gateway.method === 'GET') {
    const query = fillTemplate(gateway.template, { to, text }, encodeURIComponent);
    const url = gateway.url + (gateway.url.includes('?') ? '&' : '?') + query;
    return { url, init: { method: 'GET' } };
  }
  const json = gateway.template.trimStart().startsWith('{');
  // JSON: the value as a JSON string's contents; otherwise form-encoded.
  const body = fillTemplate(gateway.template, { to, text }, json ? (value) => JSON.stringify(value).slice(1, -1) : encodeURIComponent);
  return { url: gateway.url, init: { method: 'POST', body, headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' } } };
}

export interface TransportOptions {
  /** Extra TLS options for the SMTP connection (a test's own CA). */
  readonly tls?: ConnectionOptions;
  readonly timeoutMs?: number;
}

export function defaultTransports(options: TransportOptions = {}): Transports {
  const timeout = options.timeoutMs ?? 30_000;
  return {
    async email(config, message) {
      // Loaded on the first send: every CLI command builds the notification services, few send.
      const { createTransport } = await import('nodemailer');
      const transport = createTransport({
        host: config.host,
        port: config.port,
        secure: config.security === 'tls',
        requireTLS: config.security === 'starttls',
        ignoreTLS: config.security === 'none',
        ...(config.user === '' ? {} : { auth: { user: config.user, pass: config.password ?? '' } }),
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        ...(options.tls === undefined ? {} : { tls: options.tls }),
      });
      try {
        const info = await transport.sendMail({
          from: config.fromName === '' ? config.fromAddress : { name: config.fromName, address: config.fromAddress },
          to: message.to,
          subject: message.subject,
          text: message.text,
          messageId: message.messageId,
          headers: { 'Content-Language': message.language },
          ...(message.attachments === undefined ? {} : { attachments: message.attachments.map((a) => ({ ...a })) }),
        });
        if (info.rejected.length > 0) throw new SendError('refused', `the server refused ${info.rejected.length} recipient(s)`);
        return String(info.response);
      } catch (error) {
        throw classify(error);
      } finally {
        transport.close();
      }
    },
    async sms(gateway, to, text) {
      const { url, init } = gatewayRequest(gateway, to, text);
      let response: Response;
      try {
        response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeout) });
      } catch (error) {
        throw new SendError('unreachable', (error as Error).message);
      }
      const body = (await response.text().catch(() => '')).slice(0, 200);
      if (!response.ok) throw new SendError('refused', `the gateway answered ${response.status} ${body}`.trim());
      return `${response.status} ${body}`.trim();
    },
  };
}
