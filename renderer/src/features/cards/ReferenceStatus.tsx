import { Box, Chip, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { PivCardDetails } from '@shared/schemas/cards';

/** Tries left for the PIN or PUK, blocked state and the factory-default flag. */
export function ReferenceStatus({ label, status, testId }: { label: string; status: PivCardDetails['pin']; testId: string }) {
  const { t } = useTranslation();
  const blocked = status.triesLeft === 0;
  const text =
    status.triesLeft === null
      ? t('cards.detail.unknownTries')
      : status.maxTries === null
        ? t('cards.detail.triesLeftNoMax', { count: status.triesLeft })
        : t('cards.detail.triesLeft', { count: status.triesLeft, max: status.maxTries });
  return (
    <Box>
      <Typography variant="body2" color="text.secondary" component="dt">
        {label}
      </Typography>
      <Box component="dd" sx={{ m: 0, display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }} data-testid={testId} data-tries-left={status.triesLeft ?? ''}>
        <Typography component="span">{blocked ? t('cards.detail.blocked') : text}</Typography>
        {blocked ? <Chip size="small" color="error" label={t('cards.detail.blocked')} /> : null}
        {status.isDefault === true ? <Chip size="small" color="warning" variant="outlined" label={t('cards.detail.factoryDefault')} /> : null}
      </Box>
    </Box>
  );
}
