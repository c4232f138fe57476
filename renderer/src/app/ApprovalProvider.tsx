import { useCallback, useRef, useState, type ReactNode } from 'react';
import type { ApprovalRequestInfo } from '@shared/errors';
import { ApprovalDialog } from '../components/ApprovalDialog';
import type { Approver } from './commandRunner';
import { ApproverContext } from './useCommand';

/**
 * Offers every desk command the second operator's approval (issue 17 §4): a command refused with
 * APPROVAL_REQUIRED waits here for the dialog's answer (CommandRunner runs it again once approved).
 */
export function ApprovalProvider({ children }: { children: ReactNode }) {
  const [asked, setAsked] = useState<ApprovalRequestInfo | null>(null);
  const answer = useRef<((approved: boolean) => void) | null>(null);
  const approver: Approver = useCallback(
    (approval) =>
      new Promise<boolean>((resolve) => {
        // A second request while one is open: the first one's command ends as cancelled.
        answer.current?.(false);
        answer.current = resolve;
        setAsked(approval);
      }),
    [],
  );
  const done = (approved: boolean): void => {
    const resolve = answer.current;
    answer.current = null;
    setAsked(null);
    resolve?.(approved);
  };
  return (
    <ApproverContext.Provider value={approver}>
      {children}
      {asked === null ? null : <ApprovalDialog key={asked.requestId} approval={asked} onDone={done} />}
    </ApproverContext.Provider>
  );
}
