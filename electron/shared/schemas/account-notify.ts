import { z } from 'zod';

/** How the desk talks to its SMTP server: implicit TLS (465), STARTTLS (587), or neither (a local relay). */
export const smtpSecurities = ['tls', 'starttls', 'none'] as const;
export const SmtpSecuritySchema = z.enum(smtpSecurities);
export type SmtpSecurity = z.infer<typeof SmtpSecuritySchema>;

const Host = z.string().trim().min(1).max(253);
const Email = z.email().max(320);

/** The SMTP settings as the screens see them: the password never leaves the vault, only whether one is set. */
export const SmtpSettingsViewSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  security: SmtpSecuritySchema,
  user: z.string(),
  passwordSet: z.boolean(),
  fromAddress: z.string(),
  fromName: z.string(),
});
export type SmtpSettingsView = z.infer<typeof SmtpSettingsViewSchema>;

export const SmsGatewaySettingsSchema = z
  .object({
    /** The gateway's address (http or https). */
    url: z.url({ protocol: /^https?$/ }).max(2000),
    method: z.enum(['GET', 'POST']),
    /**
     * With GET, the query added to the URL; with POST, the body (JSON when it starts with `{`,
     * otherwise form-encoded). `{{to}}` and `{{text}}` are replaced by the number and the text.
     */
    template: z.string().min(1).max(2000),
  })
  .strict();
export type SmsGatewaySettings = z.infer<typeof SmsGatewaySettingsSchema>;

export const NotifySettingsViewSchema = z.object({
  smtp: SmtpSettingsViewSchema.nullable(),
  sms: SmsGatewaySettingsSchema.nullable(),
});
export type NotifySettingsView = z.infer<typeof NotifySettingsViewSchema>;

export const SmtpSettingsInputSchema = z
  .object({
    host: Host,
    port: z.number().int().min(1).max(65535),
    security: SmtpSecuritySchema,
    user: z.string().trim().max(320),
    /** Absent: keep the stored password; empty: remove it; otherwise the new one (sealed in the vault). */
    password: z.string().max(1000).optional(),
    fromAddress: Email,
    fromName: z.string().trim().max(200),
  })
  .strict();
export type SmtpSettingsInput = z.infer<typeof SmtpSettingsInputSchema>;

/** A change of the settings: each part absent keeps it, null removes it. */
export const NotifySetSettingsArgsSchema = z
  .object({
    smtp: SmtpSettingsInputSchema.nullable().optional(),
    sms: SmsGatewaySettingsSchema.nullable().optional(),
  })
  .strict();
export type NotifySetSettingsArgs = z.infer<typeof NotifySetSettingsArgsSchema>;

export const NotifyTestArgsSchema = z
  .object({
    channel: z.enum(['email', 'sms']),
    to: z.string().trim().min(3).max(320),
    language: z.enum(['en', 'sq', 'it', 'nl']).default('en'),
  })
  .strict();
export type NotifyTestArgs = z.input<typeof NotifyTestArgsSchema>;

export const NotifyTestResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), messageId: z.string(), response: z.string() }),
  z.object({
    ok: z.literal(false),
    /** notConfigured: no settings for that channel; refused: the server or gateway said no; unreachable: no connection. */
    reason: z.enum(['notConfigured', 'refused', 'unreachable', 'tls', 'auth']),
    error: z.string(),
  }),
]);
export type NotifyTestResult = z.infer<typeof NotifyTestResultSchema>;

export const OutboxMessageSchema = z.object({
  id: z.string(),
  kind: z.string(),
  holderId: z.string().nullable(),
  channel: z.enum(['email', 'sms']),
  to: z.string(),
  language: z.string(),
  messageId: z.string(),
  state: z.enum(['queued', 'sent', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

export const NotifyOutboxArgsSchema = z
  .object({
    failed: z.boolean().default(false),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type NotifyOutboxArgs = z.input<typeof NotifyOutboxArgsSchema>;

export const NotifyOutboxSchema = z.object({
  messages: z.array(OutboxMessageSchema),
  counts: z.object({ queued: z.number().int(), sent: z.number().int(), failed: z.number().int() }),
});
export type NotifyOutbox = z.infer<typeof NotifyOutboxSchema>;
