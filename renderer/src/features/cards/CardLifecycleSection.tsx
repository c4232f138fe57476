import { useEffect, useState } from 'react';
import { Alert, AlertTitle, Box, Button, Chip, CircularProgress, Link, Typography } from '@mui/material';
import { Link as RouterLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { PivCardDetails } from '@shared/schemas/cards';
import type { CardStatus, PersonalisationStatus } from '@shared/schemas/lifecycle';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { type WorkflowRequest, cardStateColor, lifecycleTestIds } from '../lifecycle';

/** A personalisation that stopped before the card became active (it can be resumed or restarted). */
export function stoppedPersonalisation(status: CardStatus): PersonalisationStatus | null {
  const { card, personalisation } = status;
  if (card === null || personalisation === null || personalisation.done.includes('activate')) return null;
  return card.state === 'personalisationIncomplete' || card.state === 'blank' ? personalisation : null;
}

function Stopped({ personalisation }: { personalisation: PersonalisationStatus }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Alert severity="warning" data-testid={lifecycleTestIds.stopped} data-failed-step={personalisation.failedStep ?? ''} sx={{ mb: 2 }}>
      <AlertTitle>{t('lifecycle.stopped.title')}</AlertTitle>
      {t('lifecycle.stopped.body', { holder: personalisation.holderName ?? '', date: format.dateTime(personalisation.startedAt) })}
      <Typography variant="body2" sx={{ mt: 1 }}>
        {personalisation.failedStep === null ? t('lifecycle.stopped.unknownStep') : t('lifecycle.stopped.at', { step: t(`lifecycle.steps.${personalisation.failedStep}`) })}
      </Typography>
      <Typography variant="body2">
        {t('lifecycle.stopped.done', {
          steps: personalisation.done.length === 0 ? '—' : format.list(personalisation.done.map((step) => t(`lifecycle.steps.${step}`))),
        })}
      </Typography>
    </Alert>
  );
}

/**
 * The card's life cycle as the desk knows it (state, holder, a personalisation that stopped) and
 * what can be done with it from here: issue, resume or restart, renew, reset the PIN, retire.
 */
export function CardLifecycleSection({ card, onWorkflow, onOfflineUnblock }: { card: PivCardDetails; onWorkflow: (request: WorkflowRequest) => void; onOfflineUnblock: () => void }) {
  const { t } = useTranslation();
  const [read, setRead] = useState<CardStatus | null>(null);
  const { serial, reader } = card;

  const reading = useCommand((wanted: string) => unwrap(carddesk().cards.record({ serial: wanted })));
  const readRecord = reading.run;
  useEffect(() => {
    if (serial === null) return;
    let current = true;
    void readRecord(serial).then((result) => {
      if (current && result !== undefined) setRead(result);
    });
    return () => {
      current = false;
    };
  }, [serial, readRecord]);
  const phase = reading.error !== null ? 'failed' : read !== null ? 'ready' : 'loading';

  const action = (name: string, label: string, request: WorkflowRequest, options: { primary?: boolean; danger?: boolean } = {}) => (
    <Button
      key={name}
      variant={options.primary === true ? 'contained' : 'outlined'}
      color={options.danger === true ? 'error' : 'primary'}
      onClick={() => onWorkflow(request)}
      data-testid={lifecycleTestIds.action(name)}
    >
      {label}
    </Button>
  );

  const status = phase === 'ready' ? read : null;
  const record = status?.card ?? null;
  const state = record?.state ?? null;
  const stopped = status === null ? null : stoppedPersonalisation(status);
  const buttons = [];
  // Offline unblock: only for a card the desk issued, still in use, whose PIN (or PUK) is blocked (the service checks it too).
  const blocked = card.pin.triesLeft === 0 || card.puk.triesLeft === 0;
  const offline =
    serial !== null && (state === 'active' || state === 'suspended') && blocked ? (
      <Button key="offlineUnblock" variant="outlined" onClick={onOfflineUnblock} data-testid={lifecycleTestIds.action('offlineUnblock')}>
        {t('lifecycle.panel.offlineUnblock')}
      </Button>
    ) : null;
  if (serial !== null && status !== null) {
    if (stopped !== null) {
      const resume = { serial: stopped.serial, holderName: stopped.holderName, failedStep: stopped.failedStep };
      buttons.push(action('resume', t('lifecycle.workflow.resume.start'), { kind: 'resume', reader, ...resume }, { primary: true }));
      buttons.push(action('restart', t('lifecycle.workflow.restart.start'), { kind: 'restart', reader, ...resume }, { danger: true }));
    } else if (state === null || state === 'blank' || state === 'retired') {
      buttons.push(action('issue', t('lifecycle.panel.issue'), { kind: 'issue', reader, holder: null }, { primary: true }));
      buttons.push(action('replace', t('lifecycle.panel.replace'), { kind: 'replace', reader, holder: null, lostSerial: null }));
    }
    if (state === 'active') buttons.push(action('renew', t('lifecycle.panel.renew'), { kind: 'renew', reader, serial }));
    if (state === 'active' || state === 'suspended') buttons.push(action('resetPin', t('lifecycle.panel.resetPin'), { kind: 'resetPin', reader, serial }));
    if (state !== 'retired') buttons.push(action('retire', state === null || state === 'blank' ? t('lifecycle.panel.wipe') : t('lifecycle.panel.retire'), { kind: 'retire', reader, serial }, { danger: true }));
  }

  return (
    <Box component="section" aria-labelledby="card-lifecycle-title" data-testid={lifecycleTestIds.section} data-state={state ?? (phase === 'ready' ? 'unknown' : phase)} sx={{ mb: 3 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap', mb: 1 }}>
        <Typography variant="h6" component="h3" id="card-lifecycle-title">
          {t('lifecycle.panel.title')}
        </Typography>
        {phase === 'ready' ? (
          <Chip size="small" data-testid={lifecycleTestIds.state} color={state === null ? 'default' : cardStateColor(state)} label={state === null ? t('lifecycle.panel.notIssued') : t(`users.cardStates.${state}`)} />
        ) : null}
        {status !== null && status.holderName !== null && record !== null && record.holderId !== null ? (
          <Typography component="span" data-testid={lifecycleTestIds.holder}>
            {t('lifecycle.panel.holder')}{' '}
            <Link component={RouterLink} to={`/users/${record.holderId}`}>
              {status.holderName}
            </Link>
          </Typography>
        ) : null}
      </Box>
      {serial === null ? <Alert severity="info">{t('lifecycle.panel.noSerial')}</Alert> : null}
      {serial !== null && phase === 'loading' ? (
        <Box role="status" sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
          <CircularProgress size={16} aria-hidden />
          <Typography variant="body2">{t('lifecycle.panel.loading')}</Typography>
        </Box>
      ) : null}
      <CommandError error={reading.error} severity="info" sx={{ mb: 1 }} />
      {stopped !== null ? <Stopped personalisation={stopped} /> : null}
      {state === 'suspended' ? <Typography sx={{ mb: 1 }}>{t('lifecycle.panel.suspendedHint')}</Typography> : null}
      {state === 'lost' || state === 'revoked' ? <Typography sx={{ mb: 1 }}>{t('lifecycle.panel.revokedHint')}</Typography> : null}
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
        {buttons}
        {offline}
      </Box>
    </Box>
  );
}
