/**
 * What operator sign-in needs to know of the operator accounts (issue 17 §2). The operator
 * directory (operator-directory.ts) implements it; sign-in and the session depend only on this.
 */
import type { OperatorRecord } from '../../shared/schemas/operators';

export interface OperatorLookup {
  /** The operator whose card carries this operator certificate (any state), or null. */
  byCertificate(certificateSerial: string): OperatorRecord | null;
  byId(operatorId: string): OperatorRecord | null;
  /** Whether any operator account exists: none means the desk is still in its first-run bootstrap. */
  anyOperator(): boolean;
}
