import type { PcscServiceStatus, Reader, ReaderList } from '@shared/schemas/readers';
import type { ErrorCode } from '@shared/errors';

export interface ReadersState {
  readonly loaded: boolean;
  readonly service: PcscServiceStatus;
  readonly readers: readonly Reader[];
  readonly failure: ErrorCode | null;
  /** The latest insert or removal, for the screen reader's live region. */
  readonly lastChange: { kind: 'inserted' | 'removed'; reader: string; at: number } | null;
}

export type ReadersAction =
  | { type: 'snapshot'; list: ReaderList }
  | { type: 'service'; status: PcscServiceStatus }
  | { type: 'reader'; reader: Reader; change?: 'inserted' | 'removed' }
  | { type: 'readerRemoved'; name: string }
  | { type: 'failed'; code: ErrorCode };

export const initialReadersState: ReadersState = {
  loaded: false,
  service: { status: 'starting', detail: null, retryAt: null },
  readers: [],
  failure: null,
  lastChange: null,
};

function byName(a: Reader, b: Reader): number {
  return a.name.localeCompare(b.name);
}

export function readersReducer(state: ReadersState, action: ReadersAction): ReadersState {
  switch (action.type) {
    case 'snapshot':
      return { ...state, loaded: true, failure: null, service: action.list.service, readers: [...action.list.readers].sort(byName) };
    case 'service':
      return { ...state, service: action.status };
    case 'reader': {
      const others = state.readers.filter((reader) => reader.name !== action.reader.name);
      return {
        ...state,
        readers: [...others, action.reader].sort(byName),
        lastChange: action.change === undefined ? state.lastChange : { kind: action.change, reader: action.reader.name, at: Date.now() },
      };
    }
    case 'readerRemoved':
      return { ...state, readers: state.readers.filter((reader) => reader.name !== action.name) };
    case 'failed':
      return { ...state, loaded: true, failure: action.code };
  }
}
