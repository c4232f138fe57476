import { useId } from 'react';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { HolderAccessHistory } from './HolderAccessHistory';
import { accessHistoryTestIds } from './testIds';
import { useHolderNames } from './useHolderNames';

/** A holder's access history over the current screen; the Access history screen opens it for `?holder=<id>`. */
export function HolderAccessHistoryDialog({ holderId, onClose }: { holderId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const name = useHolderNames([holderId])(holderId);
  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} maxWidth="lg" fullWidth data-testid={accessHistoryTestIds.holderDialog}>
      <DialogTitle id={titleId}>{t('accessHistory.holder.dialogTitle', { holder: name ?? (name === null ? t('accessHistory.unknownHolder') : '…') })}</DialogTitle>
      <DialogContent>
        <HolderAccessHistory holderId={holderId} showHeading={false} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid={accessHistoryTestIds.holderClose}>
          {t('accessHistory.close')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
