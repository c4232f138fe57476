/** The contract's notification channels (desk only), mapped to the notification services. */
import type { OutboxMessage } from '../../shared/schemas/account-notify';
import type { NotifyServices } from '../notify/notify-services';
import type { NotificationRecord } from '../notify/outbox';
import { operationOf } from './context';
import type { ContractHandlers } from './handlers';

type NotifyChannel = 'notify:settings' | 'notify:setSettings' | 'notify:test' | 'notify:outbox' | 'notify:retry';

/** What the screens see of a message: never its params (a code is sealed in them, names are not needed). */
export function outboxMessage(record: NotificationRecord): OutboxMessage {
  const { id, kind, holderId, channel, to, language, messageId, state, attempts, nextAttemptAt, lastError, createdAt, sentAt } = record;
  return { id, kind, holderId, channel, to, language, messageId, state, attempts, nextAttemptAt, lastError, createdAt, sentAt };
}

export function notifyHandlers(notify: NotifyServices, operatorId: string): Pick<ContractHandlers, NotifyChannel> {
  return {
    'notify:settings': () => notify.settings.view(),
    'notify:setSettings': (change, context) => notify.setSettings(change, operationOf(context, operatorId)),
    'notify:test': (args, context) => notify.sender.sendTest(args, operationOf(context, operatorId)),
    'notify:outbox': ({ failed, limit }) => ({ messages: notify.outbox.list({ failed, limit }).map(outboxMessage), counts: notify.outbox.counts() }),
    'notify:retry': async ({ id }, context) => outboxMessage(await notify.outbox.retry(id, operationOf(context, operatorId))),
  };
}
