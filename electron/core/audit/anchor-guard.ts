/**
 * The log's side of the vault's anchor (see audit-anchor.ts): where the vault keeps it
 * (`AuditAnchorKeeper`, given while the vault is open), how the log stands against it, and what
 * the batch being written does to it. Before the log moves the anchor on, it checks it still holds
 * the anchored record; a log that does not (deleted, emptied, cut back, replaced) records the
 * loss as an `audit.loss` event, once, and the anchor stays where it was until an administrator
 * acknowledges the loss, so verification keeps reporting it until then.
 */
import { CardDeskError } from '../../shared/errors';
import type { Logger } from '../log/logger';
import type { OperationContext } from '../operation-context';
import { anchorStanding, lossMessage, type AnchorStanding, type AuditAnchor, type AuditAnchorKeeper } from './audit-anchor';
import type { EventFields } from './event-input';
import type { SignedHead } from './head-file';

export const AUDIT_SYSTEM_ACTOR = { kind: 'system', id: 'audit-log' } as const;

export class AnchorGuard {
  readonly #log: Logger | undefined;
  /** Where the vault keeps the anchor, and how the log stands against it (null: not yet checked). */
  #keeper: AuditAnchorKeeper | null = null;
  #standing: AnchorStanding | null = null;
  /** What the batch being written does to the anchor: records a loss, or acknowledges one. */
  #pending: 'loss' | 'acknowledge' | null = null;

  constructor(log: Logger | undefined) {
    this.#log = log;
  }

  /** The vault opened (its keeper) or closed (null); the standing is checked again. */
  use(keeper: AuditAnchorKeeper | null): void {
    this.#keeper = keeper;
    this.#standing = null;
  }

  get hasKeeper(): boolean {
    return this.#keeper !== null;
  }

  /** The vault's anchor, for verification (undefined without a vault). */
  read(): { readonly anchor: AuditAnchor | undefined; readonly publicKeySpki: Buffer | null } | undefined {
    return this.#keeper?.read();
  }

  /** How the log stands against the vault's anchor, once checked (null before, or without a vault). */
  get standing(): AnchorStanding | null {
    return this.#keeper === null ? null : this.#standing;
  }

  /** The log was (re)read from disk: how it stands is checked again before the next batch. */
  forget(): void {
    this.#standing = null;
  }

  /** The batch wrote nothing: it changes nothing about the anchor. */
  drop(): void {
    this.#pending = null;
  }

  /**
   * Compares the log with the vault's anchor (once after each read from disk; the lock is held).
   * Returns the `audit.loss` event to record when the log is found lost and the loss is not yet
   * recorded, or, acknowledging, the acknowledgement (the anchor then moves on with the batch).
   */
  async check(lastSeq: number, hashAt: (seq: number) => Promise<string | null>, acknowledge?: OperationContext): Promise<EventFields[]> {
    const keeper = this.#keeper;
    if (keeper === null) return [];
    const { anchor, publicKeySpki } = keeper.read();
    if (this.#standing === null) this.#standing = await anchorStanding(anchor, publicKeySpki, lastSeq, hashAt);
    const standing = this.#standing;
    const head = standing.state === 'holds' ? null : standing.head;
    const details: Record<string, string | number> = { anchorSeq: head?.seq ?? 0, anchorHash: head?.hash ?? '', lastSeq };
    if (acknowledge !== undefined) {
      if (standing.state === 'holds') throw new CardDeskError('INVALID_STATE', 'The audit log holds the record the vault anchored: there is no loss to acknowledge.');
      this.#pending = 'acknowledge';
      return [{ type: 'event', actor: acknowledge.actor, channel: acknowledge.channel, action: 'audit.lossAcknowledge', outcome: 'success', details }];
    }
    if (anchor?.lossRecordedAt !== undefined) return [];
    if (standing.state === 'lost') {
      const reason = lossMessage(standing, 'vault');
      this.#log?.error('the audit log was lost', { reason });
      this.#pending = 'loss';
      return [{ type: 'event', actor: AUDIT_SYSTEM_ACTOR, channel: 'desk', action: 'audit.loss', outcome: 'failure', reason, details: { ...details, found: standing.why } }];
    }
    if (standing.state === 'forged') {
      this.#pending = 'loss';
      return [{ type: 'event', actor: AUDIT_SYSTEM_ACTOR, channel: 'desk', action: 'audit.loss', outcome: 'failure', reason: "The vault's anchor does not verify with the desk's audit key: it was changed.", details: { ...details, found: 'forged' } }];
    }
    return [];
  }

  /** Tells the vault what this batch changed about the anchor, once the batch is on disk. */
  async move(signedHead: SignedHead | null, lastSeq: number): Promise<void> {
    const keeper = this.#keeper;
    const pending = this.#pending;
    this.#pending = null;
    if (keeper === null) return;
    try {
      if (pending === 'loss') {
        const { anchor } = keeper.read();
        await keeper.write({ head: anchor?.head ?? null, lossRecordedAt: lastSeq });
      } else if (signedHead !== null && (pending === 'acknowledge' || this.#standing?.state === 'holds')) {
        await keeper.write({ head: signedHead });
        this.#standing = { state: 'holds' };
      }
    } catch (error) {
      // The records are durable; the vault's anchor is behind them until the next checkpoint.
      this.#log?.error("the vault's audit anchor could not be written", { error });
    }
  }
}
