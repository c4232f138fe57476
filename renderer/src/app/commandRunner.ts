import type { ApprovalRequestInfo, ErrorCode } from '@shared/errors';
import { ApiError, errorCodeOf } from '../api/carddesk';

/** Asks a second operator to approve a request (the approval dialog); true once approved, false when cancelled. */
export type Approver = (approval: ApprovalRequestInfo) => Promise<boolean>;

export interface CommandState {
  readonly busy: boolean;
  /** The CardDeskError code of the last run's failure; never its message, which may quote input. */
  readonly error: ErrorCode | null;
}

export const idleCommand: CommandState = { busy: false, error: null };

/** The operator cancelled the approval dialog: not a failure to show. */
class ApprovalCancelled extends Error {}

/**
 * Runs one command at a time and reports busy/error through `publish`; React-free so it can be
 * tested alone (useCommand is its React face). GitHub Desktop's dispatcher is the model: a command's
 * failure becomes a state the screen shows, never an unhandled rejection.
 */
export class CommandRunner<A extends unknown[], R> {
  private state: CommandState = idleCommand;
  private live = true;
  /** Counts runs: only the latest publishes its end, so a slow earlier load cannot overwrite a later one. */
  private latest = 0;

  /** Set where the desk offers the approval dialog (issue 17 §4); without it APPROVAL_REQUIRED is an error like any other. */
  private approver: Approver | null = null;

  constructor(
    private command: (...args: A) => Promise<R>,
    private readonly publish: (state: CommandState) => void,
  ) {}

  setApprover(approver: Approver | null): void {
    this.approver = approver;
  }

  /** The latest command (a screen's closure changes every render). */
  setCommand(command: (...args: A) => Promise<R>): void {
    this.command = command;
  }

  /** Resolves to the command's result, or to undefined when it failed (the failure is in `error`). */
  async run(...args: A): Promise<R | undefined> {
    const mine = ++this.latest;
    this.set({ busy: true, error: null });
    try {
      const result = await this.#withApproval(args);
      if (mine === this.latest) this.set({ busy: false, error: null });
      return result;
    } catch (error) {
      if (mine === this.latest) this.set({ busy: false, error: error instanceof ApprovalCancelled ? null : errorCodeOf(error) });
      return undefined;
    }
  }

  /**
   * Two-person control (issue 17 §4), in the one place every command runs: a refusal that needs a
   * second operator opens the approval dialog; approved, the command runs again, once; cancelled,
   * nothing changed and no error is shown.
   */
  async #withApproval(args: A): Promise<R> {
    try {
      return await this.command(...args);
    } catch (error) {
      const approver = this.approver;
      if (approver === null || !(error instanceof ApiError) || error.code !== 'APPROVAL_REQUIRED' || error.approval === undefined) throw error;
      if (!(await approver(error.approval))) throw new ApprovalCancelled('approval cancelled');
      return this.command(...args);
    }
  }

  /** Clears the error; a run under way stays busy. */
  reset(): void {
    this.set({ busy: this.state.busy, error: null });
  }

  /** After unmount nothing is published (the dialog is gone). */
  dispose(): void {
    this.live = false;
  }

  /** Publishes again after a remount (React's StrictMode unmounts and remounts every component once in development). */
  attach(): void {
    this.live = true;
    this.publish(this.state);
  }

  private set(state: CommandState): void {
    this.state = state;
    if (this.live) this.publish(this.state);
  }
}
