import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ErrorCode } from '@shared/errors';
import type { VaultStatus } from '@shared/schemas/vault';
import { useTranslation } from 'react-i18next';
import { ApiError, carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { useLiveRefresh } from '../access-history';
import { PassphraseDialog } from './PassphraseDialog';

interface VaultApi {
  readonly status: VaultStatus | null;
  /** Why the vault cannot be reached (another CardDesk holds the data folder), or null. */
  readonly unavailable: ErrorCode | null;
  readonly refresh: () => Promise<void>;
  /** Opens the unlock dialog; resolves true once unlocked, false if the operator cancels. */
  readonly unlock: () => Promise<boolean>;
  /** Runs an action; if the vault turns out locked, asks to unlock and runs it once more. */
  readonly withUnlocked: <T>(action: () => Promise<T>) => Promise<T>;
}

const VaultContext = createContext<VaultApi | null>(null);

export function useVault(): VaultApi {
  const api = useContext(VaultContext);
  if (api === null) throw new Error('useVault needs the VaultProvider');
  return api;
}

/** The vault's lock state for the desk, and the one unlock dialog every screen shares. */
export function VaultProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<VaultStatus | null>(null);
  const [unavailable, setUnavailable] = useState<ErrorCode | null>(null);
  const [asking, setAsking] = useState(false);
  const waiting = useRef<((unlocked: boolean) => void)[]>([]);

  // Not a useCommand: this provider publishes the vault's reachability to every screen as context
  // (`unavailable`, read by the vault bar and the welcome flow) and its `refresh` is awaited by
  // callers; the unlock dialog's run goes through PassphraseDialog, which uses useCommand.
  const refresh = useCallback(
    () =>
      unwrap(carddesk().vault.status())
        .then((next) => {
          setStatus(next);
          setUnavailable(null);
        })
        // The vault may be held by another CardDesk: the desk says so on every screen.
        .catch((error: unknown) => {
          setStatus(null);
          setUnavailable(errorCodeOf(error));
        }),
    [],
  );

  // Every change to holders, cards and certificates is an audit event: the counts follow it.
  useLiveRefresh(() => void refresh());

  useEffect(() => {
    const api = carddesk().vault;
    const unsubscribe = api.onStateChanged(() => void refresh());
    void refresh();
    return unsubscribe;
  }, [refresh]);

  const unlock = useCallback(
    () =>
      new Promise<boolean>((resolve) => {
        waiting.current.push(resolve);
        setAsking(true);
      }),
    [],
  );

  const settle = (unlocked: boolean): void => {
    setAsking(false);
    for (const resolve of waiting.current.splice(0)) resolve(unlocked);
  };

  const withUnlocked = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T> => {
      try {
        return await action();
      } catch (error) {
        if (errorCodeOf(error) !== 'VAULT_LOCKED') throw error;
        if (!(await unlock())) throw new ApiError('VAULT_LOCKED', 'cancelled');
        return action();
      }
    },
    [unlock],
  );

  const api = useMemo(() => ({ status, unavailable, refresh, unlock, withUnlocked }), [status, unavailable, refresh, unlock, withUnlocked]);

  return (
    <VaultContext value={api}>
      {children}
      <PassphraseDialog
        open={asking}
        title={t('vault.unlockTitle')}
        body={t('vault.unlockBody')}
        submitLabel={t('vault.unlock')}
        onClose={() => settle(false)}
        // A call that fails outright is the dialog's command error (it shows it with CommandError).
        onSubmit={async (passphrase) => {
          let result;
          try {
            result = await unwrap(carddesk().vault.unlock({ passphrase }));
          } catch (error) {
            // Out of the first-run bootstrap the vault opens with an operator card; the passphrase is the recovery unlock (issue 17 §2).
            if (error instanceof ApiError && error.code === 'APPROVAL_REQUIRED') return { ok: false, message: t('vault.recoveryNeedsApproval') };
            throw error;
          }
          if (!result.ok) return { ok: false, message: t('errors.WRONG_PASSPHRASE') };
          await refresh();
          settle(true);
          return { ok: true };
        }}
      />
    </VaultContext>
  );
}
