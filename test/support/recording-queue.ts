/**
 * A NotificationQueue for unit and integration tests of the holder account: it records what is
 * queued (the one-time code included, which is how a test reads the code the holder would
 * receive) and answers each with a plain record in a test collection, committed with the change.
 * The real outbox is notify/'s; the lead wires it at merge.
 */
import type { NotificationQueue, NotificationRequest } from '../../electron/core/account/account-ports';
import type { RecordChange } from '../../electron/core/vault/record-store';

export const TEST_OUTBOX = 'testOutbox';

export class RecordingQueue implements NotificationQueue {
  readonly queuedRequests: NotificationRequest[] = [];
  wakes = 0;

  queued(request: NotificationRequest): RecordChange {
    this.queuedRequests.push(request);
    const id = `m-${this.queuedRequests.length}`;
    const record: { id: string; kind: string } = { id, kind: request.kind };
    return { collection: TEST_OUTBOX, id, record };
  }

  wake(): void {
    this.wakes += 1;
  }

  /** The newest one-time code queued to `to`, or null. */
  lastCode(to?: string): string | null {
    const found = this.queuedRequests.filter((r) => r.kind === 'oneTimeCode' && (to === undefined || r.to === to)).at(-1);
    return found?.params.code ?? null;
  }
}
