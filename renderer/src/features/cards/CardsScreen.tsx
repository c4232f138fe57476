import { Alert, AlertTitle, Box, Chip, CircularProgress, List, Paper, Typography } from '@mui/material';
import { visuallyHidden } from '../../components/visuallyHidden';
import { useTranslation } from 'react-i18next';
import { ReaderRow } from './ReaderRow';
import { cardsTestIds } from './testIds';
import { useReaders } from './useReaders';

export function CardsScreen() {
  const { t } = useTranslation();
  const { loaded, service, readers, failure, lastChange } = useReaders();

  return (
    <Box data-testid={cardsTestIds.screen} sx={{ maxWidth: 960 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
        <Typography variant="h4" component="h1">
          {t('cards.title')}
        </Typography>
        {service.status === 'running' ? <Chip size="small" color="success" variant="outlined" label={t('cards.service.running')} /> : null}
      </Box>
      <Typography color="text.secondary" sx={{ mt: 1, mb: 3 }}>
        {t('cards.intro')}
      </Typography>

      {failure !== null ? <Alert severity="error">{t(`errors.${failure}`)}</Alert> : null}

      {!loaded || service.status === 'starting' ? (
        <Box data-testid={cardsTestIds.serviceStarting} role="status" sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
          <CircularProgress size={20} aria-hidden />
          <Typography>{t('cards.service.starting')}</Typography>
        </Box>
      ) : null}

      {loaded && service.status === 'unavailable' ? (
        <Alert severity="warning" data-testid={cardsTestIds.serviceUnavailable}>
          <AlertTitle>{t('cards.service.unavailableTitle')}</AlertTitle>
          {t('cards.service.unavailableBody')}
        </Alert>
      ) : null}

      {loaded && service.status === 'running' && readers.length === 0 ? (
        <Alert severity="info" data-testid={cardsTestIds.noReaders}>
          {t('cards.noReaders')}
        </Alert>
      ) : null}

      {readers.length > 0 ? (
        <Paper variant="outlined">
          <List aria-label={t('cards.readersLabel')} data-testid={cardsTestIds.readerList} disablePadding>
            {readers.map((reader) => (
              <ReaderRow key={reader.name} reader={reader} />
            ))}
          </List>
        </Paper>
      ) : null}

      <Box component="p" aria-live="polite" data-testid={cardsTestIds.announcer} sx={visuallyHidden}>
        {lastChange === null ? '' : t(`cards.announce.${lastChange.kind}`, { reader: lastChange.reader })}
      </Box>
    </Box>
  );
}
