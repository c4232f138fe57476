import { Box, LinearProgress, Typography, type SxProps, type Theme } from '@mui/material';
import { useTranslation } from 'react-i18next';

/** "Working with the card…" with a progress bar, while a card or token answers. */
export function WorkingStatus({ sx }: { sx?: SxProps<Theme> }) {
  const { t } = useTranslation();
  return (
    <Box sx={sx} role="status">
      <LinearProgress aria-hidden />
      <Typography variant="body2" sx={{ mt: 1 }}>
        {t('cards.actions.working')}
      </Typography>
    </Box>
  );
}
