import { Alert, Button } from '@mui/material';
import LockIcon from '@mui/icons-material/Lock';
import LockOpenIcon from '@mui/icons-material/LockOpen';
import { useTranslation } from 'react-i18next';
import { carddesk, unwrap } from '../../api/carddesk';
import { vaultTestIds } from './testIds';
import { useVault } from './VaultContext';

/** The vault's lock state in the app bar: locked → unlock (the passphrase in the shared dialog), unlocked → lock. */
export function VaultLockButton() {
  const { t } = useTranslation();
  const { status, refresh, unlock } = useVault();
  if (status === null || !status.initialised) return null;
  const locked = !status.unlocked;
  return (
    <Button
      color="inherit"
      startIcon={locked ? <LockIcon aria-hidden /> : <LockOpenIcon aria-hidden />}
      data-testid={vaultTestIds.barLock}
      data-state={locked ? 'locked' : 'unlocked'}
      aria-label={locked ? t('welcome.bar.lockedLabel') : t('welcome.bar.unlockedLabel')}
      onClick={() => void (locked ? unlock() : unwrap(carddesk().vault.lock()).then(refresh, refresh))}
    >
      {locked ? t('welcome.bar.locked') : t('welcome.bar.unlocked')}
    </Button>
  );
}

/** Said on every screen when another CardDesk holds this data folder. */
export function VaultUnavailable() {
  const { t } = useTranslation();
  const { unavailable } = useVault();
  if (unavailable !== 'VAULT_IN_USE') return null;
  return (
    <Alert severity="error" sx={{ mb: 2 }} data-testid={vaultTestIds.inUse}>
      {t('errors.VAULT_IN_USE')}
    </Alert>
  );
}
