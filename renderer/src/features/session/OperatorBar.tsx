import { Box, Button, Chip, Typography } from '@mui/material';
import LogoutIcon from '@mui/icons-material/Logout';
import { useTranslation } from 'react-i18next';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { useOperatorSession } from './SessionContext';
import { sessionTestIds } from './testIds';

/** The signed-in operator in the app bar: name, roles, Sign out. Nothing in bootstrap or signed out. */
export function OperatorBar() {
  const { t } = useTranslation();
  const { session } = useOperatorSession();
  const signOut = useCommand(() => unwrap(carddesk().session.signOut()));
  if (session?.mode !== 'signedIn') return null;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minWidth: 0 }}>
      <Typography component="p" variant="body2" noWrap data-testid={sessionTestIds.operator} title={t('session.cardSerial', { serial: session.cardSerial })}>
        {session.name}
      </Typography>
      <Box data-testid={sessionTestIds.roles} aria-label={t('session.rolesLabel')} sx={{ display: { xs: 'none', md: 'flex' }, gap: 0.5 }}>
        {session.roles.map((role) => (
          <Chip key={role} size="small" label={t(`session.roles.${role}`)} sx={{ color: 'inherit', borderColor: 'currentColor' }} variant="outlined" />
        ))}
      </Box>
      <Button color="inherit" startIcon={<LogoutIcon aria-hidden />} onClick={() => void signOut.run()} disabled={signOut.busy} data-testid={sessionTestIds.signOut}>
        {t('session.signOut')}
      </Button>
    </Box>
  );
}
