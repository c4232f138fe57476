import { Box, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { HolderTable } from './HolderTable';
import { usersTestIds } from './testIds';

export function UsersScreen() {
  const { t } = useTranslation();
  return (
    <Box data-testid={usersTestIds.screen}>
      <Typography variant="h4" component="h1">
        {t('nav.users')}
      </Typography>
      <Typography color="text.secondary" sx={{ mt: 1, mb: 3 }}>
        {t('users.intro')}
      </Typography>
      <HolderTable />
    </Box>
  );
}
