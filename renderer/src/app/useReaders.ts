import { useEffect, useReducer } from 'react';
import { carddesk, errorCodeOf, unwrap } from '../api/carddesk';
import { initialReadersState, readersReducer, type ReadersState } from './readersReducer';

/**
 * Live readers and cards: subscribes to the reader events first, then takes a snapshot, so no
 * change between the two is lost (the services answer in order over one connection).
 */
export function useReaders(): ReadersState {
  const [state, dispatch] = useReducer(readersReducer, initialReadersState);

  useEffect(() => {
    const api = carddesk().readers;
    const unsubscribe = [
      api.onServiceChanged((status) => dispatch({ type: 'service', status })),
      api.onReaderAdded((reader) => dispatch({ type: 'reader', reader })),
      api.onReaderChanged((reader) => dispatch({ type: 'reader', reader })),
      api.onReaderRemoved(({ name }) => dispatch({ type: 'readerRemoved', name })),
      api.onCardInserted((reader) => dispatch({ type: 'reader', reader, change: 'inserted' })),
      api.onCardRemoved((reader) => dispatch({ type: 'reader', reader, change: 'removed' })),
    ];
    // Not a useCommand: the snapshot's failure belongs to the readers state, ordered by the reducer
    // with the live events it races (a later snapshot clears it); screens show it with CommandError.
    unwrap(api.list())
      .then((list) => dispatch({ type: 'snapshot', list }))
      .catch((error: unknown) => dispatch({ type: 'failed', code: errorCodeOf(error) }));
    return () => {
      for (const stop of unsubscribe) stop();
    };
  }, []);

  return state;
}
