import { Box, Button, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { kioskTestIds } from './testIds';

const big = { minHeight: 72, fontSize: '1.25rem', px: 4 } as const;
const quickDays = [1, 7, 14, 30] as const;

/** How many days (1–30) certificates stay on hold: − and + by one, and quick choices. */
export function DaysPicker({ days, onChange, disabled = false }: { days: number; onChange: (days: number) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const dayWords = (count: number): string => (count === 1 ? t('kiosk.suspend.oneDay') : t('kiosk.suspend.dayCount', { days: count }));
  return (
    <>
      <Box role="group" aria-label={t('kiosk.suspend.days')} sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
        <Button variant="outlined" aria-label={t('kiosk.suspend.less')} sx={{ ...big, px: 0, minWidth: 72 }} disabled={days <= 1 || disabled} data-testid={kioskTestIds.suspendLess} onClick={() => onChange(days - 1)}>
          −
        </Button>
        <Typography variant="h3" component="p" data-testid={kioskTestIds.suspendDays} data-days={days} sx={{ minWidth: 220, textAlign: 'center' }}>
          {dayWords(days)}
        </Typography>
        <Button variant="outlined" aria-label={t('kiosk.suspend.more')} sx={{ ...big, px: 0, minWidth: 72 }} disabled={days >= 30 || disabled} data-testid={kioskTestIds.suspendMore} onClick={() => onChange(days + 1)}>
          +
        </Button>
      </Box>
      <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }}>
        {quickDays.map((choice) => (
          <Button key={choice} variant={days === choice ? 'contained' : 'outlined'} disabled={disabled} sx={{ minHeight: 56, minWidth: 120, fontSize: '1.1rem' }} onClick={() => onChange(choice)}>
            {dayWords(choice)}
          </Button>
        ))}
      </Box>
    </>
  );
}
