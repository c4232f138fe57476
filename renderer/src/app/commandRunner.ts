import type { ErrorCode } from '@shared/errors';
import { errorCodeOf } from '../api/carddesk';

export interface CommandState {
  readonly busy: boolean;
  /** The CardDeskError code of the last run's failure; never its message, which may quote input. */
  readonly error: ErrorCode | null;
}

export const idleCommand: CommandState = { busy: false, error: null };

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

  constructor(
    private command: (...args: A) => Promise<R>,
    private readonly publish: (state: CommandState) => void,
  ) {}

  /** The latest command (a screen's closure changes every render). */
  setCommand(command: (...args: A) => Promise<R>): void {
    this.command = command;
  }

  /** Resolves to the command's result, or to undefined when it failed (the failure is in `error`). */
  async run(...args: A): Promise<R | undefined> {
    const mine = ++this.latest;
    this.set({ busy: true, error: null });
    try {
      const result = await this.command(...args);
      if (mine === this.latest) this.set({ busy: false, error: null });
      return result;
    } catch (error) {
      if (mine === this.latest) this.set({ busy: false, error: errorCodeOf(error) });
      return undefined;
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
