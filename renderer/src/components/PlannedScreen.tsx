import { Alert, Box, Chip, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { shellTestIds } from './testIds';

/**
 * A screen whose capability is not built yet. It says plainly what is coming and that nothing
 * works yet: no placeholder table, no button that does nothing.
 */
export function PlannedScreen({ title, body }: { title: string; body: string }) {
  const { t } = useTranslation();
  return (
    <Box data-testid={shellTestIds.plannedScreen} sx={{ maxWidth: 760 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 2 }}>
        <Typography variant="h4" component="h1">
          {title}
        </Typography>
        <Chip label={t('planned.badge')} variant="outlined" />
      </Box>
      <Typography sx={{ mb: 2 }}>{body}</Typography>
      <Alert severity="info">{t('planned.nothingStored')}</Alert>
    </Box>
  );
}
