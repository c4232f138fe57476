/**
 * Holders and their cards in the vault's records. Every change goes through `ChangeRecorder`:
 * the change and its audit event in one journal line (durable before it returns), then the event
 * in the audit log (see vault/change-events.ts); reads come from the in-memory index. A CSV
 * import checks every row first and commits all rows in one journal line, or none.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { CardDeskError } from '../../shared/errors';
import { emptyAddress, emptyHolderInput } from '../../shared/holder-defaults';
import {
  HolderInputSchema,
  holderAccountDefaults,
  holderFields,
  type CardRecord,
  type CardRecordState,
  type CsvImportResult,
  type CsvRowReport,
  type Holder,
  type HolderInput,
  type HolderProblem,
  type HolderSaveResult,
  type HolderSearchQuery,
  type HolderSearchResult,
} from '../../shared/schemas/holders';
import type { AuditEventInput, AuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { ChangeRecorder } from '../vault/change-events';
import type { RecordChange } from '../vault/record-store';
import type { VaultAccess } from '../vault/vault-access';
import type { VaultStore } from '../vault/records';
import { canMove, nextStates } from './card-states';
import { luhnCheckDigit } from './check-digits';
import { csvValue, lineAt, parseCsv, toCsv } from './csv';
import { HolderIndex } from './holder-index';
import { checkHolder } from './holder-validation';

export const HOLDERS = 'holders';
export const CARDS = 'cards';

type CardEntry = Omit<CardRecord, 'nextStates'> & { readonly id: string };

const requiredColumns = ['personalNumber', 'firstName', 'lastName'] as const;
/** Exported with every file; on import a valid number not yet in use is kept, otherwise a new one is assigned. */
const exportOnlyColumns = ['userNumber'] as const;

/** 14 digits, no leading zero, the last a Luhn check of the others. */
function isUserNumber(value: string): boolean {
  return /^[1-9]\d{13}$/.test(value) && Number(value.slice(-1)) === luhnCheckDigit(value.slice(0, -1));
}

/** A holder as stored; holders saved before addresses (or the account fields) existed read as having none. */
function withAddress(holder: Holder): Holder {
  return { ...emptyAddress, ...holderAccountDefaults, ...holder };
}

export class HolderDirectory {
  #index: HolderIndex | null = null;
  #indexedStorage: VaultStore | null = null;
  #indexedRevision = -1;

  constructor(
    private readonly access: VaultAccess,
    private readonly audit: AuditTrail,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  #storage(): VaultStore {
    return this.access.storage();
  }

  /** The index of the storage now open (rebuilt after a reopen or restore, or after changes were undone because their write failed). */
  index(): HolderIndex {
    const storage = this.#storage();
    if (this.#index === null || this.#indexedStorage !== storage || this.#indexedRevision !== storage.records.revision) {
      this.#index = new HolderIndex([...storage.records.values<Holder>(HOLDERS)].map(withAddress));
      this.#indexedStorage = storage;
      this.#indexedRevision = storage.records.revision;
    }
    return this.#index;
  }

  search(query: HolderSearchQuery): HolderSearchResult {
    return this.index().search(query);
  }

  get(id: string): Holder {
    const holder = this.index().get(id);
    if (holder === undefined) throw new CardDeskError('NOT_FOUND', `There is no holder ${id}.`);
    return holder;
  }

  /** Finds a holder by id, personal number or user number (for the CLI). */
  find(reference: string): Holder {
    const index = this.index();
    const direct = index.get(reference) ?? index.get(index.idByPersonalNumber(reference.replace(/[\s-]/g, '').toUpperCase()) ?? '');
    if (direct !== undefined) return direct;
    const byUserNumber = index.search({ query: reference, sort: 'userNumber', direction: 'asc', offset: 0, limit: 2 }).items.find((h) => h.userNumber === reference);
    if (byUserNumber === undefined) throw new CardDeskError('NOT_FOUND', `No holder has the id, personal number or user number ${reference}.`);
    return byUserNumber;
  }

  #check(input: HolderInput, selfId: string | null): { value: HolderInput; problems: HolderProblem[] } {
    const checked = checkHolder(input, this.#storage().meta.settings.personalNumberRule);
    const owner = this.index().idByPersonalNumber(checked.value.personalNumber);
    if (owner !== undefined && owner !== selfId && !checked.problems.some((p) => p.field === 'personalNumber')) {
      checked.problems.push({ field: 'personalNumber', code: 'duplicate' });
    }
    return checked;
  }

  #newUserNumber(taken: (n: string) => boolean): string {
    for (;;) {
      let body = String(randomInt(1, 10));
      for (let i = 0; i < 12; i += 1) body += String(randomInt(0, 10));
      const number = `${body}${luhnCheckDigit(body)}`;
      if (!taken(number)) return number;
    }
  }

  #newHolder(value: HolderInput, taken: (n: string) => boolean, userNumber?: string): Holder {
    const now = this.clock().toISOString();
    return { ...value, ...holderAccountDefaults, id: randomUUID(), userNumber: userNumber ?? this.#newUserNumber(taken), createdAt: now, updatedAt: now, version: 1 };
  }

  /** The change and its event as one unit; the index is updated at once, before the event is awaited. */
  #commit(changes: readonly RecordChange[], event: AuditEventInput): Promise<void> {
    return new ChangeRecorder(this.access, this.audit).commit(changes, event);
  }

  #commitHolders(holders: readonly Holder[], event: AuditEventInput): Promise<void> {
    const recorded = this.#commit(holders.map((holder) => ({ collection: HOLDERS, id: holder.id, record: holder })), event);
    const index = this.index();
    for (const holder of holders) index.put(holder);
    return recorded;
  }

  async #refused(action: 'holder.create' | 'holder.update', problems: HolderProblem[], op: OperationContext, holderId?: string): Promise<HolderSaveResult> {
    const fields = problems.map((p) => `${p.field}:${p.code}`).join(',');
    await this.audit.record({ action, outcome: 'failure', reason: 'fields failed their checks', details: { fields }, ...(holderId === undefined ? {} : { holderId }), ...op });
    return { ok: false, problems };
  }

  async create(input: HolderInput, op: OperationContext): Promise<HolderSaveResult> {
    const { value, problems } = this.#check(input, null);
    if (problems.length > 0) return this.#refused('holder.create', problems, op);
    const index = this.index();
    const holder = this.#newHolder(value, (n) => index.hasUserNumber(n));
    await this.#commitHolders([holder], { action: 'holder.create', outcome: 'success', holderId: holder.id, ...op });
    return { ok: true, holder };
  }

  /** Saves an edit of `version`; someone else's newer save makes it a CONFLICT. */
  async update(id: string, version: number, input: HolderInput, op: OperationContext): Promise<HolderSaveResult> {
    const current = this.get(id);
    if (current.version !== version) {
      throw new CardDeskError('CONFLICT', `Holder ${current.userNumber} was changed by someone else. Reload it and make the change again.`);
    }
    const { value, problems } = this.#check(input, id);
    if (problems.length > 0) return this.#refused('holder.update', problems, op, id);
    const holder: Holder = {
      ...current,
      ...value,
      // A new address or number is not verified until a code sent to it comes back.
      emailVerified: current.emailVerified && current.email === value.email,
      mobileVerified: current.mobileVerified && current.mobile === value.mobile,
      updatedAt: this.clock().toISOString(),
      version: version + 1,
    };
    const stateChanged = current.state !== holder.state;
    await this.#commitHolders([holder], {
      action: stateChanged ? 'holder.stateChange' : 'holder.update',
      outcome: 'success',
      holderId: id,
      details: { fields: holderFields.filter((field) => current[field] !== holder[field]).join(','), ...(stateChanged ? { state: holder.state } : {}) },
      ...op,
    });
    return { ok: true, holder };
  }

  /**
   * Changes a holder's directory-managed account data (contact data with its verified flags and
   * cooldown, the identity document) for the account services: the holder, `with` other records
   * (an outbox message, a document submission) and the event in one commit.
   */
  async saveAccount(id: string, change: (current: Holder) => Partial<Holder>, event: AuditEventInput, with_: readonly RecordChange[] = []): Promise<Holder> {
    const current = this.get(id);
    const holder: Holder = { ...current, ...change(current), id, updatedAt: this.clock().toISOString(), version: current.version + 1 };
    const recorded = this.#commit([{ collection: HOLDERS, id, record: holder }, ...with_], { holderId: id, ...event });
    this.index().put(holder);
    await recorded;
    return holder;
  }

  /**
   * Imports holders from CSV: all rows, or none with a report for each bad row. Lines are the
   * file's physical lines (a quoted line break counts). A file that was not UTF-8 arrives with
   * U+FFFD where its bytes could not be read: it is refused, naming the line, rather than
   * importing mangled names. A `userNumber` column (as exported) keeps each valid, unused number,
   * so an export imports back exactly.
   */
  async importCsv(text: string, op: OperationContext): Promise<CsvImportResult> {
    const parsed = parseCsv(text);
    const refuse = (result: Omit<Extract<CsvImportResult, { ok: false }>, 'ok'>): Promise<CsvImportResult> =>
      this.audit
        .record({ action: 'holder.import', outcome: 'failure', reason: 'rows failed their checks', details: { badRows: result.badRows.length }, ...op })
        .then(() => ({ ok: false, ...result }));
    const undecodable = text.indexOf('\uFFFD');
    if (undecodable >= 0) {
      return refuse({ rows: parsed.ok ? Math.max(parsed.rows.length - 1, 0) : 0, fileProblems: [{ code: 'invalidEncoding', column: '', line: lineAt(text, undecodable) }], badRows: [] });
    }
    if (!parsed.ok) return refuse({ rows: 0, fileProblems: [{ code: 'unbalancedQuotes', column: '' }], badRows: [] });
    const [header, ...rows] = parsed.rows;
    if (header === undefined) return refuse({ rows: 0, fileProblems: [{ code: 'empty', column: '' }], badRows: [] });
    const columns = header.map((name) => name.trim());
    const known = new Set<string>([...holderFields, ...exportOnlyColumns]);
    const headerLine = parsed.lines[0] ?? 1;
    const fileProblems = [
      ...requiredColumns.filter((name) => !columns.includes(name)).map((column) => ({ code: 'missingColumn' as const, column })),
      ...columns.filter((name) => !known.has(name)).map((column) => ({ code: 'unknownColumn' as const, column })),
      ...[...new Set(columns.filter((name, i) => columns.indexOf(name) !== i))].map((column) => ({ code: 'duplicateColumn' as const, column, line: headerLine })),
    ];
    if (fileProblems.length > 0) return refuse({ rows: rows.length, fileProblems, badRows: [] });

    const badRows: CsvRowReport[] = [];
    const accepted: { value: HolderInput; userNumber: string }[] = [];
    const seen = new Map<string, number>();
    rows.forEach((cells, i) => {
      const line = parsed.lines[i + 1] ?? i + 2;
      const raw: Record<string, string> = { ...emptyHolderInput };
      let userNumber = '';
      columns.forEach((column, c) => {
        const cell = csvValue((cells[c] ?? '').trim());
        if ((holderFields as readonly string[]).includes(column) && cell !== '') raw[column] = cell;
        if (column === 'userNumber') userNumber = cell;
      });
      const shaped = HolderInputSchema.safeParse(raw);
      const problems: HolderProblem[] = shaped.success
        ? []
        : shaped.error.issues.map((issue) => ({ field: issue.path[0] as HolderProblem['field'], code: 'invalid' as const }));
      const checked = shaped.success ? this.#check(shaped.data, null) : null;
      if (checked !== null) problems.push(...checked.problems);
      const personalNumber = checked?.value.personalNumber ?? raw['personalNumber'] ?? '';
      const earlier = seen.get(personalNumber);
      if (personalNumber !== '' && earlier !== undefined && !problems.some((p) => p.field === 'personalNumber')) {
        problems.push({ field: 'personalNumber', code: 'duplicate' });
      }
      seen.set(personalNumber, line);
      if (problems.length > 0) badRows.push({ line, personalNumber: raw['personalNumber'] ?? '', problems });
      else if (checked !== null) accepted.push({ value: checked.value, userNumber });
    });
    if (badRows.length > 0) return refuse({ rows: rows.length, fileProblems: [], badRows });

    const index = this.index();
    const fresh = new Set<string>();
    const taken = (n: string): boolean => index.hasUserNumber(n) || fresh.has(n);
    const holders = accepted.map(({ value, userNumber }) => {
      const keep = isUserNumber(userNumber) && !taken(userNumber);
      const holder = this.#newHolder(value, taken, keep ? userNumber : undefined);
      fresh.add(holder.userNumber);
      return holder;
    });
    await this.#commitHolders(holders, { action: 'holder.import', outcome: 'success', details: { imported: holders.length }, ...op });
    return { ok: true, imported: holders.length };
  }

  /** Every holder (or those matching `query`) as CSV, in the column order the import reads. */
  async exportCsv(query: HolderSearchQuery, op: OperationContext): Promise<string> {
    const result = this.index().search({ ...query, offset: 0, limit: Number.MAX_SAFE_INTEGER });
    const columns = [...exportOnlyColumns, ...holderFields];
    const csv = toCsv([columns, ...result.items.map((holder) => columns.map((column) => String(holder[column])))]);
    await this.audit.record({ action: 'holder.export', outcome: 'success', details: { holders: result.items.length }, ...op });
    return csv;
  }

  // ---- cards of holders -------------------------------------------------------------------

  cardsOf(holderId: string): CardRecord[] {
    return [...this.#storage().records.values<CardEntry>(CARDS)].filter((card) => card.holderId === holderId).map(stripId);
  }

  cardsIn(state: CardRecordState): CardRecord[] {
    return [...this.#storage().records.values<CardEntry>(CARDS)].filter((card) => card.state === state).map(stripId);
  }

  cardOrNull(serial: string): CardRecord | null {
    const card = this.#storage().records.get<CardEntry>(CARDS, serial);
    return card === undefined ? null : stripId(card);
  }

  card(serial: string): CardRecord {
    const card = this.#storage().records.get<CardEntry>(CARDS, serial);
    if (card === undefined) throw new CardDeskError('NOT_FOUND', `There is no card ${serial} in the directory.`);
    return stripId(card);
  }

  /** Registers a card (blank, or straight to a holder) by its serial. */
  async registerCard(serial: string, holderId: string | null, op: OperationContext): Promise<CardRecord> {
    const clean = serial.trim().toUpperCase();
    if (!/^[0-9A-Z-]{4,64}$/.test(clean)) throw new CardDeskError('MALFORMED_INPUT', 'A card serial is 4 to 64 letters, digits or dashes.');
    if (this.#storage().records.get(CARDS, clean) !== undefined) throw new CardDeskError('CONFLICT', `Card ${clean} is already in the directory.`);
    if (holderId !== null) this.get(holderId);
    const now = this.clock().toISOString();
    const card: CardEntry = { id: clean, serial: clean, holderId, state: 'blank', createdAt: now, updatedAt: now };
    await this.#commit([{ collection: CARDS, id: clean, record: card }], { action: 'card.issue', outcome: 'success', reason: 'registered blank card', cardSerial: clean, ...(holderId === null ? {} : { holderId }), ...op });
    return stripId(card);
  }

  /** Gives a blank card (new, or retired and wiped) to a holder, before it is personalised for them. */
  async assignCard(serial: string, holderId: string, op: OperationContext): Promise<CardRecord> {
    const card = this.#storage().records.get<CardEntry>(CARDS, serial);
    if (card === undefined) throw new CardDeskError('NOT_FOUND', `There is no card ${serial} in the directory.`);
    if (card.state !== 'blank') throw new CardDeskError('INVALID_STATE', `Card ${serial} is ${card.state}; only a blank card can be given to a holder.`);
    this.get(holderId);
    if (card.holderId === holderId) return stripId(card);
    const updated: CardEntry = { ...card, holderId, updatedAt: this.clock().toISOString() };
    await this.#commit([{ collection: CARDS, id: serial, record: updated }], { action: 'card.issue', outcome: 'success', reason: 'card assigned to holder', cardSerial: serial, holderId, details: { previousHolder: card.holderId ?? '' }, ...op });
    return stripId(updated);
  }

  async changeCardState(serial: string, to: CardRecordState, op: OperationContext): Promise<CardRecord> {
    const card = this.#storage().records.get<CardEntry>(CARDS, serial);
    if (card === undefined) throw new CardDeskError('NOT_FOUND', `There is no card ${serial} in the directory.`);
    if (!canMove(card.state, to)) throw new CardDeskError('INVALID_STATE', `A card that is ${card.state} cannot become ${to}.`);
    const updated: CardEntry = { ...card, state: to, updatedAt: this.clock().toISOString() };
    await this.#commit([{ collection: CARDS, id: serial, record: updated }], { action: cardAction(card.state, to), outcome: 'success', cardSerial: serial, details: { from: card.state, to }, ...(card.holderId === null ? {} : { holderId: card.holderId }), ...op });
    return stripId(updated);
  }
}

function stripId({ serial, holderId, state, createdAt, updatedAt }: CardEntry): CardRecord {
  return { serial, holderId, state, nextStates: [...nextStates(state)], createdAt, updatedAt };
}

function cardAction(from: CardRecordState, to: CardRecordState) {
  switch (to) {
    case 'suspended':
      return 'card.suspend' as const;
    case 'active':
      return from === 'suspended' ? ('card.resume' as const) : from === 'awaitingActivation' ? ('card.activate' as const) : ('card.issue' as const);
    case 'revoked':
      return 'card.revoke' as const;
    case 'lost':
      return 'card.reportLost' as const;
    case 'retired':
    case 'blank':
      return 'card.retire' as const;
    case 'personalisationIncomplete':
    case 'awaitingActivation':
      return 'card.issue' as const;
  }
}
