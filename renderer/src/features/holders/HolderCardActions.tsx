import { useId, useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  InputLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Select,
  TextField,
} from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { CardRecord, Holder } from '@shared/schemas/holders';
import type { LifecycleResult } from '@shared/schemas/lifecycle';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { type WorkflowRequest, cardRevocationReasons, type CardRevocationReason, lifecycleTestIds } from '../lifecycle';
import { useVault } from '../vault';
import { ActivationDialog } from '../contracts';

type Change = 'suspend' | 'resume' | 'revoke' | 'reportLost';
type Action = Change | 'resumePersonalisation' | 'replace' | 'activate';
type AfterHold = 'release' | 'revoke';

/** Suspend (1–30 days), resume, revoke (with its RFC 5280 reason) or report lost or stolen: confirmed, then done by serial. */
function CardChangeDialog({ change, card, onClose, onDone }: { change: Change; card: CardRecord; onClose: () => void; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [days, setDays] = useState('14');
  const [afterHold, setAfterHold] = useState<AfterHold>('release');
  const [reason, setReason] = useState<CardRevocationReason>('unspecified');
  const [stolen, setStolen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const titleId = useId();
  const afterId = useId();
  const reasonId = useId();
  const howId = useId();
  const { serial } = card;
  const dayCount = Number(days);
  const daysInvalid = change === 'suspend' && !(Number.isInteger(dayCount) && dayCount >= 1 && dayCount <= 30);

  const changing = useCommand(async () => {
    const api = carddesk().cards;
    const call = (): Promise<LifecycleResult> => {
      switch (change) {
        case 'suspend':
          return unwrap(api.suspend({ serial, days: dayCount, afterHold }));
        case 'resume':
          return unwrap(api.resume({ serial }));
        case 'revoke':
          return unwrap(api.revoke({ serial, reason }));
        case 'reportLost':
          return unwrap(api.reportLost({ serial, stolen }));
      }
    };
    const result = await withUnlocked(call);
    if (result.ok) onDone(change === 'reportLost' && stolen ? t('lifecycle.holderCard.done.reportStolen', { serial }) : t(`lifecycle.holderCard.done.${change}`, { serial, days: dayCount }));
    else setProblem(t(`lifecycle.failure.${result.reason}`));
  });
  const busy = changing.busy;

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (busy || daysInvalid) return;
    setProblem(null);
    void changing.run();
  };

  return (
    <Dialog open onClose={busy ? undefined : onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth data-testid={lifecycleTestIds.holderCardDialog} data-change={change}>
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{t(`lifecycle.holderCard.${change}.title`, { serial })}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>{t(`lifecycle.holderCard.${change}.body`)}</DialogContentText>
          {change === 'suspend' ? (
            <Box sx={{ display: 'grid', gap: 2, pt: 1 }}>
              <TextField
                type="number"
                label={t('lifecycle.holderCard.suspend.days')}
                value={days}
                onChange={(event) => setDays(event.target.value)}
                error={daysInvalid}
                helperText={t('lifecycle.holderCard.suspend.daysHint')}
                slotProps={{ htmlInput: { min: 1, max: 30, 'data-testid': lifecycleTestIds.suspendDays } }}
              />
              <FormControl>
                <InputLabel id={afterId}>{t('certificates.afterHold')}</InputLabel>
                <Select labelId={afterId} label={t('certificates.afterHold')} value={afterHold} onChange={(event) => setAfterHold(event.target.value === 'revoke' ? 'revoke' : 'release')} data-testid={lifecycleTestIds.afterHold}>
                  <MenuItem value="release">{t('certificates.afterHoldChoices.release')}</MenuItem>
                  <MenuItem value="revoke">{t('certificates.afterHoldChoices.revoke')}</MenuItem>
                </Select>
              </FormControl>
            </Box>
          ) : null}
          {change === 'revoke' ? (
            <FormControl fullWidth sx={{ mt: 1 }}>
              <InputLabel id={reasonId}>{t('certificates.fields.reason')}</InputLabel>
              <Select labelId={reasonId} label={t('certificates.fields.reason')} value={reason} onChange={(event) => setReason(event.target.value)} data-testid={lifecycleTestIds.revokeReason}>
                {cardRevocationReasons.map((choice) => (
                  <MenuItem key={choice} value={choice}>
                    {t(`certificates.reasons.${choice}`)}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
          ) : null}
          {change === 'reportLost' ? (
            <FormControl>
              <FormLabel id={howId}>{t('lifecycle.holderCard.reportLost.how')}</FormLabel>
              <RadioGroup aria-labelledby={howId} value={stolen ? 'stolen' : 'lost'} onChange={(event) => setStolen(event.target.value === 'stolen')}>
                <FormControlLabel value="lost" control={<Radio />} label={t('lifecycle.holderCard.reportLost.lost')} />
                <FormControlLabel value="stolen" control={<Radio />} label={t('lifecycle.holderCard.reportLost.stolen')} data-testid={lifecycleTestIds.stolen} />
              </RadioGroup>
            </FormControl>
          ) : null}
          {problem !== null ? (
            <Alert severity="error" sx={{ mt: 2 }}>
              {problem}
            </Alert>
          ) : null}
          <CommandError error={changing.error} sx={{ mt: 2 }} />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="contained" color={change === 'resume' ? 'primary' : 'error'} disabled={busy || daysInvalid} data-testid={lifecycleTestIds.holderCardConfirm}>
            {t(`lifecycle.holderCard.${change}.confirm`)}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/**
 * What an operator can do with one of a holder's cards, by its state: suspend, resume, revoke,
 * report lost or stolen, replace a lost card, resume a stopped personalisation.
 */
export function HolderCardActions({
  holder,
  card,
  onChanged,
  onWorkflow,
}: {
  holder: Holder;
  card: CardRecord;
  onChanged: (message: string) => void;
  onWorkflow: (request: WorkflowRequest) => void;
}) {
  const { t } = useTranslation();
  const [change, setChange] = useState<Change | null>(null);
  const [activating, setActivating] = useState(false);
  const { serial, state } = card;

  const resumePersonalisation = (): void => {
    unwrap(carddesk().cards.record({ serial }))
      .then((status) => onWorkflow({ kind: 'resume', reader: null, serial, holderName: status.holderName, failedStep: status.personalisation?.failedStep ?? null }))
      .catch(() => onWorkflow({ kind: 'resume', reader: null, serial, holderName: `${holder.firstName} ${holder.lastName}`, failedStep: null }));
  };

  const button = (name: Action, onClick: () => void, options: { danger?: boolean; primary?: boolean } = {}) => (
    <Button
      key={name}
      size="small"
      variant={options.primary === true ? 'contained' : 'outlined'}
      color={options.danger === true ? 'error' : 'primary'}
      onClick={onClick}
      aria-label={t(`lifecycle.holderCard.${name}.label`, { serial })}
      data-testid={lifecycleTestIds.holderCardAction(name, serial)}
    >
      {t(`lifecycle.holderCard.${name}.button`)}
    </Button>
  );

  const buttons = [];
  if (state === 'active') buttons.push(button('suspend', () => setChange('suspend')));
  if (state === 'suspended') buttons.push(button('resume', () => setChange('resume'), { primary: true }));
  if (state === 'awaitingActivation') buttons.push(button('activate', () => setActivating(true), { primary: true }));
  if (state === 'active' || state === 'suspended' || state === 'awaitingActivation') buttons.push(button('reportLost', () => setChange('reportLost'), { danger: true }));
  if (state === 'active' || state === 'suspended' || state === 'personalisationIncomplete' || state === 'awaitingActivation') buttons.push(button('revoke', () => setChange('revoke'), { danger: true }));
  if (state === 'personalisationIncomplete') buttons.push(button('resumePersonalisation', resumePersonalisation, { primary: true }));
  if (state === 'lost') buttons.push(button('replace', () => onWorkflow({ kind: 'replace', reader: null, holder, lostSerial: serial }), { primary: true }));

  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
      {buttons}
      {activating && (
        <ActivationDialog
          serial={serial}
          onClose={(activated) => {
            setActivating(false);
            if (activated) onChanged(t('lifecycle.workflow.activate.done', { serial }));
          }}
        />
      )}
      {change !== null ? (
        <CardChangeDialog
          change={change}
          card={card}
          onClose={() => setChange(null)}
          onDone={(message) => {
            setChange(null);
            onChanged(message);
          }}
        />
      ) : null}
    </Box>
  );
}
