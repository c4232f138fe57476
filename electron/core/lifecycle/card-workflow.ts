/**
 * One run of a card workflow (issue, resume, renew, retire, PIN reset): the card in its reader is
 * kept for the run (nothing else talks to it in between), each step is announced before and after
 * (the screen's progress, the CLI's lines), and how the run ends is one value: done, or stopped at
 * a step for a reason the operator can act on. Anything unforeseen still ends the run cleanly and
 * is then thrown on, so the envelope carries it.
 */
import { randomUUID } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import type { WorkflowProgress, WorkflowStep, LifecycleFailure } from '../../shared/schemas/lifecycle';
import { cardSerial } from '../cards/card-service';
import { sessionFailureOf } from '../cards/card-session';
import type { ReaderHolds } from '../cards/reader-holds';
import { ApduTransport } from '../piv/apdu-transport';
import { PivClient, type PivApplication } from '../piv/piv-client';
import type { CardConnection } from '../readers/card-connection';

/** An expected end of a workflow, thrown by a step. */
export class WorkflowStop extends Error {
  override readonly name = 'WorkflowStop';

  constructor(
    readonly reason: LifecycleFailure,
    message: string,
  ) {
    super(message);
  }
}

export type WorkflowOutcome<T> = { ok: true; value: T } | { ok: false; reason: LifecycleFailure; step: WorkflowStep | null; serial: string | null; message: string };

export interface WorkflowDeps {
  readonly holds: ReaderHolds;
  readonly emit: (progress: WorkflowProgress) => void;
}

export class CardWorkflow {
  readonly run = randomUUID();
  serial: string | null = null;
  #current: WorkflowStep | null = null;

  private constructor(
    private readonly deps: WorkflowDeps,
    readonly reader: string,
    readonly steps: readonly WorkflowStep[],
    readonly client: PivClient,
    readonly application: PivApplication | null,
  ) {}

  /** The step under way (or the last one begun). */
  get currentStep(): WorkflowStep | null {
    return this.#current;
  }

  #emit(step: WorkflowStep, state: WorkflowProgress['state']): void {
    this.deps.emit({ run: this.run, reader: this.reader, serial: this.serial, step, state, index: this.steps.indexOf(step) + 1, total: this.steps.length });
  }

  /** Runs one step, announcing it; a throw marks it failed and ends the run. */
  async step<T>(step: WorkflowStep, work: () => Promise<T>): Promise<T> {
    this.#current = step;
    this.#emit(step, 'running');
    try {
      const value = await work();
      this.#emit(step, 'done');
      return value;
    } catch (error) {
      this.#emit(step, 'failed');
      throw error;
    }
  }

  /** A step this run does not need (done by an earlier run, or not wanted by the policy). */
  skip(step: WorkflowStep): void {
    this.#emit(step, 'skipped');
  }

  /** Reads the card's serial; a card without one cannot be kept in the directory. */
  async identify(): Promise<string> {
    if (this.application === null) throw new WorkflowStop('notPiv', 'The card has no PIV application.');
    const serial = await cardSerial(this.client);
    if (serial === null) throw new WorkflowStop('noSerial', 'The card does not tell its serial number.');
    this.serial = serial;
    return serial;
  }

  /**
   * Runs `body` with the card in `reader` kept for it. `onStop` sees how a stopped run ended
   * (before the card is let go), to leave a consistent record.
   */
  static async run<T>(
    deps: WorkflowDeps,
    reader: string,
    steps: readonly WorkflowStep[],
    purpose: string,
    body: (workflow: CardWorkflow) => Promise<T>,
    onStop: (workflow: CardWorkflow, stop: { reason: LifecycleFailure; message: string } | { error: unknown }) => Promise<void> = async () => {},
  ): Promise<WorkflowOutcome<T>> {
    let connection: CardConnection;
    try {
      connection = await deps.holds.hold(reader, purpose);
    } catch (error) {
      const failure = sessionFailureOf(error);
      if (failure === null) throw error;
      return { ok: false, reason: failure.reason, step: null, serial: null, message: error instanceof Error ? error.message : String(error) };
    }
    let workflow: CardWorkflow | null = null;
    try {
      const client = new PivClient(ApduTransport.forCard(connection));
      workflow = new CardWorkflow(deps, reader, steps, client, await client.select());
      return { ok: true, value: await body(workflow) };
    } catch (error) {
      const stop = stopOf(error);
      if (workflow !== null) await onStop(workflow, stop ?? { error });
      if (stop === null) throw error;
      return { ok: false, ...stop, step: workflow?.currentStep ?? null, serial: workflow?.serial ?? null };
    } finally {
      await connection.close('reset').catch(() => undefined);
    }
  }
}

function stopOf(error: unknown): { reason: LifecycleFailure; message: string } | null {
  if (error instanceof WorkflowStop) return { reason: error.reason, message: error.message };
  const session = sessionFailureOf(error);
  // Once the run had the card, "no card" can only mean it was taken out.
  if (session !== null) return { reason: session.reason === 'noCard' ? 'cardRemoved' : session.reason, message: (error as Error).message };
  if (error instanceof CardDeskError && error.code === 'CARD_UNSUPPORTED') return { reason: 'cardUnsupported', message: error.message };
  return null;
}
