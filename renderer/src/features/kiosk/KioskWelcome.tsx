import { Alert, Box, Typography } from '@mui/material';
import CreditCardIcon from '@mui/icons-material/CreditCard';
import { useTranslation } from 'react-i18next';
import { useReaders } from '../../app/useReaders';
import { kioskTestIds } from './testIds';

/** Waits for the holder's card; later releases continue from here into PIN entry and the holder's home. */
export function KioskWelcome() {
  const { t } = useTranslation();
  const { loaded, service, readers } = useReaders();
  const withCard = readers.find((reader) => reader.cardState === 'present');

  let message: { text: string; testId: string };
  if (loaded && service.status === 'unavailable') message = { text: t('kiosk.serviceDown'), testId: kioskTestIds.unavailable };
  else if (loaded && service.status === 'running' && readers.length === 0) message = { text: t('kiosk.noReader'), testId: kioskTestIds.unavailable };
  else if (withCard !== undefined) message = { text: t('kiosk.cardDetected'), testId: kioskTestIds.cardDetected };
  else message = { text: t('kiosk.insertCard'), testId: kioskTestIds.insertCard };

  return (
    <Box data-testid={kioskTestIds.welcome} sx={{ textAlign: 'center', maxWidth: 720 }}>
      <CreditCardIcon aria-hidden sx={{ fontSize: 120 }} color="primary" />
      <Typography variant="h2" component="h1" sx={{ mb: 3 }}>
        {t('kiosk.welcome')}
      </Typography>
      <Typography variant="h5" component="p" role="status" data-testid={message.testId}>
        {message.text}
      </Typography>
      {withCard !== undefined ? (
        <Alert severity="info" sx={{ mt: 4, fontSize: '1.1rem', textAlign: 'left' }}>
          {t('kiosk.selfServiceLater')}
        </Alert>
      ) : null}
    </Box>
  );
}
