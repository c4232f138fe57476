import { useCallback, useEffect, useState } from 'react';
import { Alert, AlertTitle, Box, Button, Chip, CircularProgress, List, Paper, Snackbar, Tab, Tabs, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { carddesk, unwrap } from '../../api/carddesk';
import { visuallyHidden } from '../../components/visuallyHidden';
import { TokensPanel, tokensTestIds } from '../tokens';
import { CardWorkflowDialog, type WorkflowRequest, ExpiryWatch, lifecycleTestIds, UnblockResponseDialog } from '../lifecycle';
import { CardPanel } from './CardPanel';
import { OfflineUnblockDialog } from './OfflineUnblockDialog';
import { ReaderRow } from './ReaderRow';
import { cardsTestIds } from './testIds';
import { useReaders } from '../../app/useReaders';
import { CommandError } from '../../components/CommandError';

type CardsTab = 'readers' | 'expiry' | 'tokens';

/** How many certificates expire within 60 days, for the expiry tab's label (null: not known, e.g. no vault yet). */
function useExpiringCount(generation: number): number | null {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    let current = true;
    unwrap(carddesk().cards.expiring({ withinDays: 60 }))
      .then((list) => current && setCount(list.length))
      .catch(() => current && setCount(null));
    return () => {
      current = false;
    };
  }, [generation]);
  return count;
}

export function CardsScreen() {
  const { t } = useTranslation();
  const { loaded, service, readers, failure, lastChange } = useReaders();
  const [chosen, setChosen] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [tab, setTab] = useState<CardsTab>('readers');
  // Dialogs live here, not in the card panel: they outlast the card being pulled and put back.
  const [workflow, setWorkflow] = useState<WorkflowRequest | null>(null);
  const [offlineReader, setOfflineReader] = useState<string | null>(null);
  const [answering, setAnswering] = useState(false);
  const [revision, setRevision] = useState(0);
  const bump = useCallback(() => setRevision((value) => value + 1), []);
  const expiring = useExpiringCount(revision);
  // The operator's choice, or else the first reader holding a card, or else the first reader.
  const selected = readers.find((reader) => reader.name === chosen) ?? readers.find((reader) => reader.cardState === 'present') ?? readers[0];
  const virtualCard = (insert: boolean): void => {
    void unwrap(insert ? carddesk().readers.insertVirtualCard() : carddesk().readers.removeVirtualCard());
  };

  return (
    <Box data-testid={cardsTestIds.screen}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
        <Typography variant="h4" component="h1">
          {t('cards.title')}
        </Typography>
        {service.status === 'running' ? <Chip size="small" color="success" variant="outlined" label={t('cards.service.running')} /> : null}
        <Box sx={{ flexGrow: 1 }} />
        <Button variant="outlined" onClick={() => setAnswering(true)} data-testid={lifecycleTestIds.answerOpen}>
          {t('lifecycle.answer.open')}
        </Button>
      </Box>
      <Typography color="text.secondary" sx={{ mt: 1, mb: 2 }}>
        {t('cards.intro')}
      </Typography>
      <Tabs value={tab} onChange={(_event, value: CardsTab) => setTab(value)} aria-label={t('cards.tabs')} sx={{ mb: 3 }}>
        <Tab value="readers" label={t('tokens.tabs.readers')} id="tab-readers" aria-controls="panel-readers" data-testid={tokensTestIds.tabReaders} />
        <Tab
          value="expiry"
          label={expiring === null || expiring === 0 ? t('lifecycle.expiry.title') : t('lifecycle.expiry.tabCount', { count: expiring })}
          id="tab-expiry"
          aria-controls="panel-expiry"
          data-testid={lifecycleTestIds.expiryTab}
        />
        <Tab value="tokens" label={t('tokens.tabs.tokens')} id="tab-tokens" aria-controls="panel-tokens" data-testid={tokensTestIds.tabTokens} />
      </Tabs>
      {tab === 'tokens' ? (
        <Box role="tabpanel" id="panel-tokens" aria-labelledby="tab-tokens">
          <TokensPanel />
        </Box>
      ) : tab === 'expiry' ? (
        <Box role="tabpanel" id="panel-expiry" aria-labelledby="tab-expiry">
          <ExpiryWatch onChanged={bump} />
        </Box>
      ) : (
      <Box role="tabpanel" id="panel-readers" aria-labelledby="tab-readers">

      <CommandError error={failure} />

      {!loaded || service.status === 'starting' ? (
        <Box data-testid={cardsTestIds.serviceStarting} role="status" sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
          <CircularProgress size={20} aria-hidden />
          <Typography>{t('cards.service.starting')}</Typography>
        </Box>
      ) : null}

      {loaded && service.status === 'unavailable' ? (
        <Alert severity={readers.length > 0 ? 'info' : 'warning'} data-testid={cardsTestIds.serviceUnavailable} sx={{ mb: 2 }}>
          <AlertTitle>{t('cards.service.unavailableTitle')}</AlertTitle>
          {readers.some((reader) => reader.kind === 'virtual') ? t('cards.service.unavailableVirtual') : t('cards.service.unavailableBody')}
        </Alert>
      ) : null}

      {loaded && service.status === 'running' && readers.length === 0 ? (
        <Alert severity="info" data-testid={cardsTestIds.noReaders}>
          {t('cards.noReaders')}
        </Alert>
      ) : null}

      {readers.length > 0 ? (
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(300px, 380px) 1fr' }, gap: 3, alignItems: 'start' }}>
          <Box>
            <Paper variant="outlined">
              <List aria-label={t('cards.readersLabel')} data-testid={cardsTestIds.readerList} disablePadding>
                {readers.map((reader) => (
                  <ReaderRow key={reader.name} reader={reader} selected={reader.name === selected?.name} onSelect={() => setChosen(reader.name)} />
                ))}
              </List>
            </Paper>
            {selected?.kind === 'virtual' ? (
              <Button sx={{ mt: 1 }} onClick={() => virtualCard(selected.cardState === 'absent')} data-testid={selected.cardState === 'absent' ? cardsTestIds.insertVirtual : cardsTestIds.removeVirtual}>
                {selected.cardState === 'absent' ? t('cards.virtual.insert') : t('cards.virtual.remove')}
              </Button>
            ) : null}
          </Box>
          <Box>
            {selected === undefined || selected.cardState !== 'present' ? (
              <Typography color="text.secondary">{t('cards.select')}</Typography>
            ) : (
              <CardPanel
                key={`${selected.name}/${selected.atr ?? ''}/${revision}`}
                reader={selected}
                onMessage={setMessage}
                onWorkflow={setWorkflow}
                onOfflineUnblock={setOfflineReader}
              />
            )}
          </Box>
        </Box>
      ) : null}

      </Box>
      )}

      {workflow !== null ? (
        <CardWorkflowDialog
          initial={workflow}
          onClose={(changed) => {
            setWorkflow(null);
            if (changed) bump();
          }}
        />
      ) : null}
      {offlineReader !== null ? (
        <OfflineUnblockDialog
          reader={offlineReader}
          onClose={(unblocked) => {
            setOfflineReader(null);
            if (unblocked) {
              setMessage(t('cards.offline.done'));
              bump();
            }
          }}
        />
      ) : null}
      {answering ? <UnblockResponseDialog onClose={() => setAnswering(false)} /> : null}

      <Snackbar
        open={message !== null}
        autoHideDuration={6000}
        onClose={() => setMessage(null)}
        message={<span data-testid={cardsTestIds.message}>{message}</span>}
      />

      <Box component="p" aria-live="polite" data-testid={cardsTestIds.announcer} sx={visuallyHidden}>
        {lastChange === null ? '' : t(`cards.announce.${lastChange.kind}`, { reader: lastChange.reader })}
      </Box>
    </Box>
  );
}
