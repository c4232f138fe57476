/**
 * What operator sign-in needs to know of the operator accounts (issue 17 §2). The operator
 * directory (operator-directory.ts) implements it; sign-in and the session depend only on this.
 */
import type { OperatorRecord } from '../../shared/schemas/operators';

export interface OperatorLookup {
  /** The operator whose card carries this operator certificate (any state), or null. */
  byCertificate(certificateSerial: string): OperatorRecord | null;
  byId(operatorId: string): OperatorRecord | null;
  /**
   * Whether the first-run bootstrap is over: an active CA administrator holds an operator card
   * whose operator certificate is valid now (an activated card), so someone can sign in. Until then the desk and
   * the CLI act as the OS account with every role — adding accounts before anyone has a card
   * cannot lock the desk out.
   */
  bootstrapOver(): boolean;
  /** Told after the accounts or their certificates changed (the bootstrap may have ended); absent when they never change. */
  watch?(listener: () => void): () => void;
}
