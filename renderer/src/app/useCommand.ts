import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { ErrorCode } from '@shared/errors';
import { CommandRunner, idleCommand, type Approver, type CommandState } from './commandRunner';

/** The desk's approval dialog (ApprovalProvider), for commands refused with APPROVAL_REQUIRED; none at the kiosk. */
export const ApproverContext = createContext<Approver | null>(null);

export interface Command<A extends unknown[], R> {
  /** Runs the command; resolves to its result, or to undefined when it failed (see `error`). */
  readonly run: (...args: A) => Promise<R | undefined>;
  readonly busy: boolean;
  /** The failure's CardDeskError code, for CommandError; null while none. */
  readonly error: ErrorCode | null;
  /** Clears the error (a dialog reopened, an input changed). */
  readonly reset: () => void;
}

/** The one way a screen runs a command with busy and error state; show `error` with CommandError. */
export function useCommand<A extends unknown[], R>(command: (...args: A) => Promise<R>): Command<A, R> {
  const [state, setState] = useState<CommandState>(idleCommand);
  const [runner] = useState(() => new CommandRunner(command, setState));
  const approver = useContext(ApproverContext);
  runner.setCommand(command);
  runner.setApprover(approver);
  useEffect(() => {
    runner.attach();
    return () => runner.dispose();
  }, [runner]);
  const run = useMemo(() => (...args: A) => runner.run(...args), [runner]);
  const reset = useMemo(() => () => runner.reset(), [runner]);
  return { run, reset, busy: state.busy, error: state.error };
}
