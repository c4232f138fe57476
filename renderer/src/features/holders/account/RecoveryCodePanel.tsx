import { useEffect, useState } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { RecoveryCodeStatus } from '@shared/schemas/account-recovery';
import { carddesk, unwrap } from '../../../api/carddesk';
import { useCommand } from '../../../app/useCommand';
import { CommandError } from '../../../components/CommandError';

/**
 * The holder's Emergency Recovery Code at the desk (issue 15): whether one exists, when it was
 * issued and last used, where its letter is; "Issue a new recovery code" writes a new letter to
 * the outbox. The code itself never reaches this screen.
 */
export function RecoveryCodePanel({ holderId, onChanged }: { holderId: string; onChanged?: () => void }) {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<RecoveryCodeStatus | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [issued, setIssued] = useState(false);
  const loading = useCommand(async (id: string) => setStatus(await unwrap(carddesk().account.recoveryCodeStatus({ holderId: id }))));
  const load = loading.run;
  const issuing = useCommand(async (id: string) => {
    await unwrap(carddesk().account.resetRecoveryCode({ holderId: id }));
    setIssued(true);
    setConfirming(false);
    await load(id);
    onChanged?.();
  });
  useEffect(() => {
    void load(holderId);
  }, [load, holderId]);
  const date = (iso: string): string => new Date(iso).toLocaleDateString(i18n.language);

  return (
    <Box data-testid="recovery-code-panel" data-exists={status === null ? undefined : String(status.exists)} sx={{ display: 'grid', gap: 1 }}>
      <Typography variant="subtitle1" component="h3">
        {t('account.recovery.title')}
      </Typography>
      <CommandError error={loading.error ?? issuing.error} />
      {status !== null && !status.exists ? <Typography>{t('account.recovery.none')}</Typography> : null}
      {status?.exists === true && status.issuedAt !== null ? (
        <>
          <Typography>{t('account.recovery.issuedAt', { date: date(status.issuedAt) })}</Typography>
          {status.reason !== null ? <Typography variant="body2">{t('account.recovery.reason', { reason: t(`account.recovery.reasons.${status.reason}`) })}</Typography> : null}
          <Typography variant="body2">{status.lastUsedAt === null ? t('account.recovery.neverUsed') : t('account.recovery.lastUsed', { date: date(status.lastUsedAt) })}</Typography>
          {status.letterState !== null ? <Typography variant="body2">{t('account.recovery.letter', { state: t(`account.recovery.letterStates.${status.letterState}`) })}</Typography> : null}
        </>
      ) : null}
      {status !== null && status.recentFailures > 0 ? (
        <Alert severity="warning">{t('account.recovery.recentFailures', { count: status.recentFailures })}</Alert>
      ) : null}
      {issued ? (
        <Alert severity="success" data-testid="recovery-code-issued">
          {t('account.recovery.issued')}
        </Alert>
      ) : null}
      <Box>
        <Button variant="outlined" data-testid="recovery-code-issue" disabled={issuing.busy} onClick={() => setConfirming(true)}>
          {t('account.recovery.issue')}
        </Button>
      </Box>
      <Dialog open={confirming} onClose={() => setConfirming(false)} aria-labelledby="recovery-code-confirm-title">
        <DialogTitle id="recovery-code-confirm-title">{t('account.recovery.confirmTitle')}</DialogTitle>
        <DialogContent>
          <DialogContentText>{t('account.recovery.confirmBody')}</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>{t('account.recovery.cancel')}</Button>
          <Button variant="contained" data-testid="recovery-code-confirm" disabled={issuing.busy} onClick={() => void issuing.run(holderId)}>
            {t('account.recovery.confirm')}
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
