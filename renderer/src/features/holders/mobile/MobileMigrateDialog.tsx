import { useId, useState } from 'react';
import { Alert, Box, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Holder } from '@shared/schemas/holders';
import type { MobileIdQr, MobileIdSummary } from '@shared/schemas/mobile-id';
import { carddesk, unwrap } from '../../../api/carddesk';
import { useCommand } from '../../../app/useCommand';
import { CommandError } from '../../../components/CommandError';
import { useFormat } from '../../../i18n/format';
import { useVault } from '../../vault';

export const mobileMigrateTestIds = {
  dialog: 'mobile-migrate-dialog',
  recoverKey: 'mobile-migrate-recover-key',
  create: 'mobile-migrate-create',
  qr: 'mobile-migrate-qr',
  close: 'mobile-migrate-close',
} as const;

/**
 * Move to a new phone (issue 16 §4): a new mobile ID replacing `mobileId`, with the same
 * certificates and validity; its QR code is shown once. The old phone keeps working until the new
 * one has enrolled; a move that expires or is cancelled changes nothing on it.
 */
export function MobileMigrateDialog({ holder, mobileId, onClose, onMigrated }: { holder: Holder; mobileId: MobileIdSummary; onClose: () => void; onMigrated: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { withUnlocked } = useVault();
  const titleId = useId();
  const [recoverKey, setRecoverKey] = useState(mobileId.options.recoverKey);
  const [issued, setIssued] = useState<MobileIdQr | null>(null);
  const migrating = useCommand(async () => {
    setIssued(await withUnlocked(() => unwrap(carddesk().mobile.migrate({ id: mobileId.id, options: { recoverKey } }))));
    onMigrated();
  });
  return (
    <Dialog open onClose={migrating.busy ? undefined : onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth data-testid={mobileMigrateTestIds.dialog}>
      <DialogTitle id={titleId}>{t('mobile.migrate.title', { name: `${holder.firstName} ${holder.lastName}` })}</DialogTitle>
      <DialogContent sx={{ display: 'grid', gap: 2, pt: 1 }}>
        {issued === null ? (
          <>
            <Typography>{t('mobile.migrate.intro')}</Typography>
            <FormControlLabel
              control={<Checkbox checked={recoverKey} onChange={(event) => setRecoverKey(event.target.checked)} slotProps={{ input: { 'data-testid': mobileMigrateTestIds.recoverKey } as never }} />}
              label={t('mobile.migrate.recoverKey')}
            />
            <CommandError error={migrating.error} />
          </>
        ) : (
          <>
            {issued.qr === null ? (
              <Alert severity="info">{t('mobile.sentTo', { address: issued.sentTo ?? '', time: issued.mobileId.codeExpiresAt === null ? '' : format.dateTime(issued.mobileId.codeExpiresAt) })}</Alert>
            ) : (
              <>
                <Alert severity="info">{t('mobile.migrate.qrIntro', { time: issued.mobileId.codeExpiresAt === null ? '' : format.dateTime(issued.mobileId.codeExpiresAt) })}</Alert>
                <Box component="img" src={issued.qr} alt={t('mobile.qrAlt')} data-testid={mobileMigrateTestIds.qr} sx={{ width: 320, height: 320, bgcolor: '#fff', justifySelf: 'center' }} />
              </>
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {issued === null ? (
          <>
            <Button onClick={onClose} disabled={migrating.busy}>
              {t('common.cancel')}
            </Button>
            <Button variant="contained" disabled={migrating.busy} onClick={() => void migrating.run()} data-testid={mobileMigrateTestIds.create}>
              {t('mobile.migrate.create')}
            </Button>
          </>
        ) : (
          <Button variant="contained" onClick={onClose} data-testid={mobileMigrateTestIds.close}>
            {t('common.close')}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
