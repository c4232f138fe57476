/**
 * Stand-ins for the ports other parts of issue 15 implement, until the lead wires the real ones
 * at merge (// LEAD: wire the real NotificationQueue and SecondFactor at merge):
 *
 * - the notification queue commits a bare record per message (its kind and holder only: no
 *   address, no code) in the same commit as its change, and sends nothing. For the end-to-end
 *   tests only, when CARDDESK_TEST_NOTIFICATION_LOG names a file, each message is appended there
 *   as a JSON line (one-time code included): the test reads the code the holder would receive.
 *   The lead replaces this with the real outbox and a real SMTP receiver in the tests.
 * - the second factor: nobody is enrolled; a verify is refused.
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { RecordChange } from '../vault/record-store';
import type { NotificationQueue, NotificationRequest, SecondFactor } from './account-ports';

export const STAND_IN_OUTBOX = 'notificationStandIn';

export function standInNotificationQueue(env: NodeJS.ProcessEnv = process.env): NotificationQueue {
  return {
    queued(request: NotificationRequest): RecordChange {
      const id = randomUUID();
      const testLog = env.CARDDESK_TEST_NOTIFICATION_LOG;
      if (testLog !== undefined && testLog !== '') appendFileSync(testLog, `${JSON.stringify({ id, ...request })}\n`, { mode: 0o600 });
      const record: { id: string; kind: string; holderId: string | null; channel: string } = { id, kind: request.kind, holderId: request.holderId, channel: request.channel };
      return { collection: STAND_IN_OUTBOX, id, record };
    },
    wake(): void {},
  };
}

export const standInSecondFactor: SecondFactor = {
  enrolled: () => false,
  verify: () => Promise.reject(new CardDeskError('INVALID_STATE', 'The second factor is not available in this build yet.')),
};
