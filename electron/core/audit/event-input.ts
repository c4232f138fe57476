/**
 * Turns what a service reports into the fields of an event record: checks the action, bounds
 * every string, and never lets a secret through. A detail whose name says it holds a PIN, PUK,
 * key, passphrase or response is written as "[redacted]" (and the mistake is logged), so a
 * careless caller loses a detail rather than leaking a secret or the whole event.
 */
import { CardDeskError } from '../../shared/errors';
import { AuditActionSchema } from '../../shared/schemas/audit';
import type { Logger } from '../log/logger';
import type { AuditEventInput } from './audit-trail';
import type { EventRecord } from './audit-record';

export type EventFields = Omit<EventRecord, 'seq' | 'time' | 'prev'>;

const SECRET_NAME = /^(current|new|old)?(pin|puk|passphrase|password|secret|key|managementkey|privatekey|response|challengeresponse|otp|totp|erc|recoverycode)$/i;
const MAX_ID = 200;
const MAX_TEXT = 500;
const MAX_DETAILS = 32;

function clamp(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/[^a-z]/gi, ''));
}

/**
 * The event as it may be kept (in the vault's journal until the log holds it, see
 * vault/change-events.ts): a known action, bounded strings, secrets redacted.
 */
export function safeEventInput(input: AuditEventInput, log?: Logger): AuditEventInput {
  if (!AuditActionSchema.safeParse(input.action).success) throw new CardDeskError('INTERNAL', `Unknown audit action ${JSON.stringify(input.action)}.`);
  let details: Record<string, string | number | boolean> | undefined;
  if (input.details !== undefined) {
    details = {};
    for (const [name, value] of Object.entries(input.details).slice(0, MAX_DETAILS)) {
      const key = clamp(name, 64);
      if (isSecretName(name)) {
        log?.error('an audit event carried a detail named like a secret; it was redacted', { action: input.action, detail: key });
        details[key] = '[redacted]';
      } else {
        details[key] = typeof value === 'string' ? clamp(value, MAX_TEXT) : typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
      }
    }
  }
  return {
    action: input.action,
    outcome: input.outcome,
    actor: { kind: input.actor.kind, id: clamp(input.actor.id, MAX_ID) },
    channel: input.channel,
    ...(input.reason === undefined ? {} : { reason: clamp(input.reason, MAX_TEXT) }),
    ...(input.holderId === undefined ? {} : { holderId: clamp(input.holderId, MAX_ID) }),
    ...(input.cardSerial === undefined ? {} : { cardSerial: clamp(input.cardSerial, MAX_ID) }),
    ...(input.certificateSerial === undefined ? {} : { certificateSerial: clamp(input.certificateSerial, MAX_ID) }),
    ...(details === undefined ? {} : { details }),
    ...(input.changeId === undefined ? {} : { changeId: clamp(input.changeId, MAX_ID) }),
    ...(input.recovered === true ? { recovered: true as const } : {}),
  };
}

export function eventFields(input: AuditEventInput, log?: Logger): EventFields {
  const safe = safeEventInput(input, log);
  return {
    type: 'event',
    actor: safe.actor,
    channel: safe.channel,
    action: safe.action,
    outcome: safe.outcome,
    ...(safe.reason === undefined ? {} : { reason: safe.reason }),
    ...(safe.holderId === undefined ? {} : { holder: safe.holderId }),
    ...(safe.cardSerial === undefined ? {} : { card: safe.cardSerial }),
    ...(safe.certificateSerial === undefined ? {} : { certificate: safe.certificateSerial }),
    ...(safe.details === undefined ? {} : { details: safe.details }),
    ...(safe.changeId === undefined ? {} : { change: safe.changeId }),
    ...(safe.recovered === true ? { recovered: true as const } : {}),
  };
}
