import { Box, Button, CircularProgress, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { ErrorCode } from '@shared/errors';
import { CommandError } from './CommandError';

export function StartupScreen({ failure, onRetry }: { failure: ErrorCode | null; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Box component="main" sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', p: 4 }}>
      {failure === null ? (
        <Box sx={{ textAlign: 'center' }} role="status">
          <CircularProgress aria-hidden />
          <Typography sx={{ mt: 2 }}>{t('app.loading')}</Typography>
        </Box>
      ) : (
        <CommandError
          error={failure}
          sx={{ maxWidth: 560 }}
          title={t('app.startFailedTitle')}
          action={
            <Button color="inherit" onClick={onRetry}>
              {t('app.retry')}
            </Button>
          }
        />
      )}
    </Box>
  );
}
