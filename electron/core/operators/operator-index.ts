/**
 * The operator directory's index (issue 17): the operator accounts by holder and the CA's
 * `operator`-profile certificates by holder, so listing the operators, finding one by id and the
 * bootstrap check do not scan every certificate of the CA at each call. Built from the record store
 * on first use and rebuilt on the next read after a change to the operators or the certificates
 * (the store's onChange), or when the store is replaced or undoes lines (its revision).
 * Watchers are told after such a change (not inside the store's commit), so the desk can notice the
 * end of the first-run bootstrap without a call (session:changed).
 */
import type { OperatorRecord } from '../../shared/schemas/operators';
import { CERTIFICATES, type CertificateRecord } from '../ca/certificate-records';
import type { Records } from '../vault/records';

export const OPERATORS = 'operators';

/** What the store keeps of an account: the record without its cards (derived from the certificates). */
export type StoredOperator = Omit<OperatorRecord, 'cards'>;

export interface OperatorIndexData {
  /** Every account by holder (one account per holder, ever). */
  readonly operatorsByHolder: ReadonlyMap<string, StoredOperator>;
  /** The operator-profile certificates of each holder, any status, oldest first. */
  readonly certificatesByHolder: ReadonlyMap<string, readonly CertificateRecord[]>;
}

interface Memo {
  readonly store: Records;
  readonly revision: number;
  readonly data: OperatorIndexData;
  stale: boolean;
  readonly unsubscribe: () => void;
}

function build(store: Records): OperatorIndexData {
  const operatorsByHolder = new Map<string, StoredOperator>();
  for (const operator of store.values<StoredOperator>(OPERATORS)) operatorsByHolder.set(operator.holderId, operator);
  const certificatesByHolder = new Map<string, CertificateRecord[]>();
  for (const c of store.values<CertificateRecord>(CERTIFICATES)) {
    if (c.profile !== 'operator' || c.holderId === null) continue;
    const list = certificatesByHolder.get(c.holderId);
    if (list === undefined) certificatesByHolder.set(c.holderId, [c]);
    else list.push(c);
  }
  for (const list of certificatesByHolder.values()) list.sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
  return { operatorsByHolder, certificatesByHolder };
}

export class OperatorIndex {
  #memo: Memo | null = null;
  readonly #watchers = new Set<() => void>();
  #telling = false;

  /** The index of `store`, rebuilt if the operators or the certificates changed since it was built. */
  of(store: Records): OperatorIndexData {
    const memo = this.#memo;
    if (memo !== null && memo.store === store && memo.revision === store.revision && !memo.stale) return memo.data;
    memo?.unsubscribe();
    let fresh: Memo | null = null;
    const unsubscribe = store.onChange((changes) => {
      if (fresh === null || !changes.some((change) => change.collection === OPERATORS || change.collection === CERTIFICATES)) return;
      fresh.stale = true;
      this.#tell();
    });
    fresh = { store, revision: store.revision, data: build(store), stale: false, unsubscribe };
    this.#memo = fresh;
    return fresh.data;
  }

  /** `listener` is told (once per burst of changes, after they are applied) when the operators or certificates change. */
  watch(listener: () => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  #tell(): void {
    if (this.#telling || this.#watchers.size === 0) return;
    this.#telling = true;
    setImmediate(() => {
      this.#telling = false;
      for (const watcher of [...this.#watchers]) watcher();
    });
  }

  dispose(): void {
    this.#memo?.unsubscribe();
    this.#memo = null;
  }
}
