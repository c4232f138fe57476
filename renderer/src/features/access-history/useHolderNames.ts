import { useEffect, useState } from 'react';
import { carddesk, unwrap } from '../../api/carddesk';

/** Names already looked up in this window: an id always names the same holder. */
const known = new Map<string, string | null>();

/** "First Last (personal number)", or null for an id the directory does not have (any more). */
async function lookUp(id: string): Promise<string | null> {
  try {
    const { holder } = await unwrap(carddesk().holders.get({ id }));
    return `${holder.firstName} ${holder.lastName} (${holder.personalNumber})`;
  } catch {
    return null;
  }
}

/**
 * The names of the holders in a list of events, so tables and dialogs show people, never ids.
 * A name not known yet is `undefined` (being looked up); `null` means the directory has no such holder.
 */
export function useHolderNames(ids: readonly (string | null)[]): (id: string) => string | null | undefined {
  const [, setVersion] = useState(0);
  const wanted = [...new Set(ids.filter((id): id is string => id !== null && !known.has(id)))];
  const key = wanted.join(' ');
  useEffect(() => {
    if (key === '') return;
    let current = true;
    Promise.all(
      key.split(' ').map(async (id) => {
        known.set(id, await lookUp(id));
      }),
    )
      .then(() => current && setVersion((v) => v + 1))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [key]);
  return (id) => known.get(id);
}
