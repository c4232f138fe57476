import { useId, useMemo, useState } from 'react';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { carddesk } from '../../../api/carddesk';
import { LostInfoForm, lostInfoIds, type LostInfoCalls } from '../../../components/LostInfoForm';

export const deskLostInfoIds = lostInfoIds('desk-lost-info');

/**
 * Lost info at the desk: a holder on the phone or at the counter who knows neither their user
 * number nor their card gives their personal number and registered email; the code goes to that
 * email and the holder reads it to the operator. The same services as at the kiosk: the answer
 * does not say whether anyone matched, and the attempts are limited and recorded.
 */
export function LostInfoDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const [done, setDone] = useState(false);
  const calls = useMemo<LostInfoCalls>(() => ({ begin: (args) => carddesk().account.lostInfoBegin(args), complete: (args) => carddesk().account.lostInfoComplete(args) }), []);
  const close = (): void => {
    setDone(false);
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} aria-labelledby={titleId} maxWidth="sm" fullWidth data-testid={deskLostInfoIds.dialog}>
      <DialogTitle id={titleId}>{t('users.lostInfo.title')}</DialogTitle>
      <DialogContent sx={{ pt: 1 }}>
        {/* A new form each time the dialog opens: nothing typed before is left in it. */}
        {open ? <LostInfoForm calls={calls} ids={deskLostInfoIds} texts="users.lostInfo" onDone={() => setDone(true)} /> : null}
      </DialogContent>
      <DialogActions>
        <Button variant={done ? 'contained' : 'text'} onClick={close} data-testid={deskLostInfoIds.close}>
          {t('users.lostInfo.close')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
