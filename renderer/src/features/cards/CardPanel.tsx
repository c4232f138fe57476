import { Alert, AlertTitle, Box, Button, Chip, CircularProgress, Paper, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { PivCardDetails } from '@shared/schemas/cards';
import type { Reader } from '@shared/schemas/readers';
import type { WorkflowRequest } from '../lifecycle';
import { CardActions } from './actions/CardActions';
import { CardLifecycleSection } from './CardLifecycleSection';
import { CommandError } from '../../components/CommandError';
import { failureText } from '../../components/failureText';
import { ReferenceStatus } from './ReferenceStatus';
import { SlotTable } from './SlotTable';
import { cardsTestIds } from './testIds';
import { useCardDetails } from './useCardDetails';

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Box>
      <Typography variant="body2" color="text.secondary" component="dt">
        {label}
      </Typography>
      <Typography component="dd" sx={{ m: 0, wordBreak: 'break-all' }} data-testid={testId}>
        {value}
      </Typography>
    </Box>
  );
}

function DefaultsWarning({ card }: { card: PivCardDetails }) {
  const { t } = useTranslation();
  const format = useFormat();
  const defaults = [
    card.pin.isDefault === true ? t('cards.credentials.pin') : null,
    card.puk.isDefault === true ? t('cards.credentials.puk') : null,
    card.managementKey.isDefault === true ? t('cards.credentials.managementKey') : null,
  ].filter((item): item is string => item !== null);
  if (defaults.length === 0) return null;
  return (
    <Alert severity="warning" data-testid={cardsTestIds.defaultsWarning} sx={{ mb: 2 }}>
      <AlertTitle>{t('cards.detail.defaultsWarningTitle')}</AlertTitle>
      {t('cards.detail.defaultsWarning', { which: format.list(defaults) })}
    </Alert>
  );
}

/** Everything about the card in one reader, and what the operator can do with it. */
export function CardPanel({
  reader,
  onMessage,
  onWorkflow,
  onOfflineUnblock,
}: {
  reader: Reader;
  onMessage: (text: string) => void;
  onWorkflow: (request: WorkflowRequest) => void;
  onOfflineUnblock: (reader: string) => void;
}) {
  const { t } = useTranslation();
  const { details, refresh } = useCardDetails(reader);

  if (reader.cardState !== 'present') return null;
  if (details.state === 'loading' || details.state === 'none') {
    return (
      <Box role="status" data-testid={cardsTestIds.cardLoading} sx={{ display: 'flex', gap: 2, alignItems: 'center', p: 2 }}>
        <CircularProgress size={20} aria-hidden />
        <Typography>{t('cards.detail.loading')}</Typography>
      </Box>
    );
  }
  if (details.state === 'failed') return <CommandError error={details.code} />;
  const { result } = details;
  if (!result.ok) {
    return (
      <Alert severity="warning" action={<Button onClick={refresh}>{t('cards.detail.refresh')}</Button>} data-testid={cardsTestIds.cardProblem} data-reason={result.reason}>
        {failureText(t, { ok: false, reason: result.reason, triesLeft: null })}
      </Alert>
    );
  }
  const { card } = result;
  if (card.kind === 'other') return <Alert severity="info">{t('cards.detail.otherCard')}</Alert>;

  return (
    <Paper variant="outlined" sx={{ p: 3 }} data-testid={cardsTestIds.cardPanel} component="section" aria-labelledby="card-panel-title">
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 2, flexWrap: 'wrap' }}>
        <Typography variant="h5" component="h2" id="card-panel-title" sx={{ flexGrow: 1 }}>
          {card.label ?? t('cards.detail.pivCard')}
        </Typography>
        <Chip label={t('cards.detail.pivCard')} size="small" />
        <Button onClick={refresh} size="small">
          {t('cards.detail.refresh')}
        </Button>
      </Box>
      <CardLifecycleSection card={card} onWorkflow={onWorkflow} onOfflineUnblock={() => onOfflineUnblock(card.reader)} />
      <DefaultsWarning card={card} />
      <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))', gap: 2, m: 0, mb: 3 }}>
        <Fact label={t('cards.detail.serial')} value={card.serial ?? t('cards.detail.unknown')} testId={cardsTestIds.serial} />
        <Fact label={t('cards.detail.version')} value={card.version ?? t('cards.detail.unknown')} />
        <Fact label={t('cards.detail.expires')} value={card.chuid?.expires ?? t('cards.detail.unknown')} />
        <ReferenceStatus label={t('cards.detail.pin')} status={card.pin} testId={cardsTestIds.pinStatus} />
        <ReferenceStatus label={t('cards.detail.puk')} status={card.puk} testId={cardsTestIds.pukStatus} />
        <Fact
          label={t('cards.detail.managementKey')}
          value={`${card.managementKey.algorithm?.toUpperCase() ?? t('cards.detail.unknown')}${card.managementKey.isDefault === true ? ` · ${t('cards.detail.factoryDefault')}` : ''}`}
        />
      </Box>
      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        {t('cards.slots.title')}
      </Typography>
      <SlotTable slots={card.slots} />
      <Box sx={{ mt: 3 }}>
        <CardActions reader={card.reader} pinBlocked={card.pin.triesLeft === 0} onChanged={refresh} onMessage={onMessage} />
      </Box>
    </Paper>
  );
}
