/**
 * The identity document (issue 15, point 5): the holder (at the kiosk) or an operator for them
 * (desk, CLI) submits a new document — number, expiry, a scan as PDF, PNG or JPEG — and it waits,
 * pending, until an operator approves it (then the holder's documentNumber and documentExpiry
 * change) or rejects it with a reason. The scan's type is decided by its first bytes (never by a
 * name or a claimed type), its size is limited, and it is stored sealed under the vault key.
 * Submission, approval, rejection and each viewing of a scan are recorded.
 */
import { randomUUID } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import { MAX_SCAN_BYTES, type DocumentSubmission, type DocumentSubmitResult, type DocumentView, type ScanType } from '../../shared/schemas/account-contact';
import type { Download } from '../../shared/schemas/certificates';
import type { AuditTrail } from '../audit/audit-trail';
import type { HolderDirectory } from '../directory/holder-directory';
import { checkAccountField } from '../directory/holder-validation';
import type { OperationContext } from '../operation-context';
import type { VaultKeyring } from '../vault/keyring';
import { ChangeRecorder } from '../vault/change-events';
import type { Sealed } from '../vault/sealing';
import type { VaultAccess } from '../vault/vault-access';

export const DOCUMENT_SUBMISSIONS = 'documentSubmissions';
/** A document expiring within this many days (or past) is flagged. */
export const DOCUMENT_WARNING_DAYS = 60;
const DAY = 86_400_000;

interface SubmissionRecord extends DocumentSubmission {
  readonly holderId: string;
  readonly scan: Sealed;
}

/** The scan's type by its magic bytes, or null when it is none of PDF, PNG, JPEG. */
export function scanTypeOf(bytes: Uint8Array): ScanType | null {
  const starts = (...magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  return null;
}

const extensionOf: Record<ScanType, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };
const sealPurpose = (id: string) => `document-scan:${id}`;

export interface DocumentServiceDeps {
  readonly access: VaultAccess;
  readonly keyring: Pick<VaultKeyring, 'seal' | 'open'>;
  readonly directory: Pick<HolderDirectory, 'get' | 'saveAccount'>;
  readonly audit: AuditTrail;
  readonly clock?: () => Date;
}

function publicOf(record: SubmissionRecord): DocumentSubmission {
  const { id, documentNumber, documentExpiry, scanType, scanBytes, state, submittedAt, submittedBy, decidedAt, reason } = record;
  return { id, documentNumber, documentExpiry, scanType, scanBytes, state, submittedAt, submittedBy, decidedAt, reason };
}

export class DocumentService {
  readonly #deps: DocumentServiceDeps;
  readonly #clock: () => Date;

  constructor(deps: DocumentServiceDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  #submissions(holderId: string): SubmissionRecord[] {
    return [...this.#deps.access.storage().records.values<SubmissionRecord>(DOCUMENT_SUBMISSIONS)]
      .filter((record) => record.holderId === holderId)
      .sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
  }

  #record(id: string): SubmissionRecord {
    const record = this.#deps.access.storage().records.get<SubmissionRecord>(DOCUMENT_SUBMISSIONS, id);
    if (record === undefined) throw new CardDeskError('NOT_FOUND', `There is no document submission ${id}.`);
    return record;
  }

  view(holderId: string): DocumentView {
    const holder = this.#deps.directory.get(holderId);
    const expiry = holder.documentExpiry.trim() === '' ? null : holder.documentExpiry.trim();
    const at = expiry === null ? Number.NaN : Date.parse(`${expiry}T00:00:00Z`);
    const all = this.#submissions(holderId);
    const pending = all.find((record) => record.state === 'pending') ?? null;
    const last = all.find((record) => record.state === 'approved' || record.state === 'rejected') ?? null;
    return {
      documentNumber: holder.documentNumber,
      documentExpiry: expiry,
      expiresSoon: !Number.isNaN(at) && at - this.#clock().getTime() <= DOCUMENT_WARNING_DAYS * DAY,
      pending: pending === null ? null : publicOf(pending),
      last: last === null ? null : publicOf(last),
    };
  }

  /** A new document for `holderId`, pending an operator's approval; an earlier pending one is superseded. */
  async submit(holderId: string, input: { documentNumber: string; documentExpiry: string; scan: Buffer }, op: OperationContext): Promise<DocumentSubmitResult> {
    const refuse = async (reason: 'invalidNumber' | 'invalidExpiry' | 'scanTooLarge' | 'scanType'): Promise<DocumentSubmitResult> => {
      await this.#deps.audit.record({ action: 'account.documentSubmit', outcome: 'failure', reason, holderId, ...op });
      return { ok: false, reason };
    };
    this.#deps.directory.get(holderId);
    const number = checkAccountField('documentNumber', input.documentNumber);
    if (!number.ok) return refuse('invalidNumber');
    const expiry = checkAccountField('documentExpiry', input.documentExpiry);
    if (!expiry.ok) return refuse('invalidExpiry');
    if (input.scan.length > MAX_SCAN_BYTES) return refuse('scanTooLarge');
    const scanType = scanTypeOf(input.scan);
    if (scanType === null) return refuse('scanType');
    const id = randomUUID();
    const now = this.#clock().toISOString();
    const record: SubmissionRecord = {
      id,
      holderId,
      documentNumber: number.value,
      documentExpiry: expiry.value,
      scanType,
      scanBytes: input.scan.length,
      scan: this.#deps.keyring.seal(input.scan, sealPurpose(id)),
      state: 'pending',
      submittedAt: now,
      submittedBy: op.actor.kind === 'holder' ? 'holder' : 'operator',
      decidedAt: null,
      reason: null,
    };
    const superseded = this.#submissions(holderId)
      .filter((r) => r.state === 'pending')
      .map((r) => ({ collection: DOCUMENT_SUBMISSIONS, id: r.id, record: { ...r, state: 'superseded' as const, decidedAt: now } }));
    await new ChangeRecorder(this.#deps.access, this.#deps.audit).commit([{ collection: DOCUMENT_SUBMISSIONS, id, record }, ...superseded], {
      action: 'account.documentSubmit',
      outcome: 'success',
      holderId,
      details: { submission: id, scanType, scanBytes: input.scan.length, superseded: superseded.length },
      ...op,
    });
    return { ok: true, document: this.view(holderId) };
  }

  /** A submission refused before it reached the service's checks (the kiosk allows no files), recorded. */
  async refused(holderId: string, reason: 'filesNotAllowed', op: OperationContext): Promise<DocumentSubmitResult> {
    await this.#deps.audit.record({ action: 'account.documentSubmit', outcome: 'failure', reason, holderId, ...op });
    return { ok: false, reason };
  }

  /** The scan of a submission, opened from its seal (the viewing is recorded). */
  async scan(submissionId: string, op: OperationContext): Promise<Download> {
    const record = this.#record(submissionId);
    const bytes = this.#deps.keyring.open(record.scan, sealPurpose(record.id));
    try {
      await this.#deps.audit.record({ action: 'account.documentView', outcome: 'success', holderId: record.holderId, details: { submission: record.id }, ...op });
      return { fileName: `document-${record.documentNumber}.${extensionOf[record.scanType]}`, mediaType: record.scanType, base64: bytes.toString('base64') };
    } finally {
      bytes.fill(0);
    }
  }

  #pending(submissionId: string): SubmissionRecord {
    const record = this.#record(submissionId);
    if (record.state !== 'pending') throw new CardDeskError('INVALID_STATE', `The document submission is ${record.state}, not pending.`);
    return record;
  }

  /** The operator approves: the holder's document number and expiry become the submitted ones. */
  async approve(submissionId: string, op: OperationContext): Promise<DocumentView> {
    const record = this.#pending(submissionId);
    const decided: SubmissionRecord = { ...record, state: 'approved', decidedAt: this.#clock().toISOString() };
    await this.#deps.directory.saveAccount(
      record.holderId,
      () => ({ documentNumber: record.documentNumber, documentExpiry: record.documentExpiry }),
      { action: 'account.documentApprove', outcome: 'success', details: { submission: record.id }, ...op },
      [{ collection: DOCUMENT_SUBMISSIONS, id: record.id, record: decided }],
    );
    return this.view(record.holderId);
  }

  /** The operator rejects, with a reason (recorded, and shown to the holder). */
  async reject(submissionId: string, reason: string, op: OperationContext): Promise<DocumentView> {
    const why = reason.trim();
    if (why.length < 3) throw new CardDeskError('MALFORMED_INPUT', 'A rejection needs a reason.');
    const record = this.#pending(submissionId);
    const decided: SubmissionRecord = { ...record, state: 'rejected', decidedAt: this.#clock().toISOString(), reason: why };
    await new ChangeRecorder(this.#deps.access, this.#deps.audit).commit([{ collection: DOCUMENT_SUBMISSIONS, id: record.id, record: decided }], {
      action: 'account.documentReject',
      outcome: 'success',
      reason: why,
      holderId: record.holderId,
      details: { submission: record.id },
      ...op,
    });
    return this.view(record.holderId);
  }
}
