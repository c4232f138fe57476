/**
 * Live screens in team mode (issue 18 §4, §5): turns what the team store hears into push events.
 * Changes other stations made (applied by the PgRecordStore from NOTIFY, or read after a
 * reconnect) become one `vault:changedElsewhere` per burst, at most `debounceMs` after the first;
 * the listening connection lost or back (or first reached, when the station started without it)
 * becomes `database:status`. The embedded store emits nothing.
 */
import type { EventSink } from '../../api/event-hub';
import type { VaultAccess } from '../../vault/vault-access';
import { PgVaultStorage } from './pg-vault-storage';

export const CHANGED_ELSEWHERE_DEBOUNCE_MS = 150;

/** Follows every storage `access` opens (a restore opens a new one); returns the stop. */
export function emitTeamLiveEvents(access: VaultAccess, emit: EventSink, debounceMs = CHANGED_ELSEWHERE_DEBOUNCE_MS): () => void {
  let stops: (() => void)[] = [];
  let timer: NodeJS.Timeout | null = null;
  const collections = new Set<string>();
  const stop = (): void => {
    for (const one of stops) one();
    stops = [];
    if (timer !== null) clearTimeout(timer);
    timer = null;
    collections.clear();
  };
  const flush = (): void => {
    timer = null;
    const names = [...collections].sort();
    collections.clear();
    if (names.length > 0) emit('vault:changedElsewhere', { collections: names });
  };
  access.onOpen((storage) => {
    stop();
    if (!(storage instanceof PgVaultStorage)) return;
    // Opened later than start (the database was away) or again after a restore: it is reached.
    emit('database:status', { connected: storage.connected });
    stops.push(
      storage.records.onRemoteChange((changes) => {
        for (const change of changes) collections.add(change.collection);
        timer ??= setTimeout(flush, debounceMs);
      }),
      storage.onDatabaseStatus((connected) => emit('database:status', { connected })),
    );
  });
  return stop;
}

/** What a screen opened now must show (the `database:state` channel): embedded, always reached. */
export function teamDatabaseState(access: VaultAccess): { team: boolean; connected: boolean } {
  if (!access.team) return { team: false, connected: true };
  if (!access.isOpen) return { team: true, connected: false };
  const storage = access.storage();
  return { team: true, connected: storage instanceof PgVaultStorage ? storage.connected : true };
}
