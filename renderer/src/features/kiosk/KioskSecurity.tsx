import { useState } from 'react';
import { Alert, Box, Button, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { carddesk } from '../../api/carddesk';
import { useKioskFlow } from './KioskFlow';
import { ProblemText } from './KioskSignIn';
import { PinSteps } from './PinPad';
import { useKioskAction, type ActionState } from './useKioskAction';
import { kioskTestIds } from './testIds';

const changes = ['changePin', 'changePuk'] as const;
type Change = (typeof changes)[number];

export function ActionOutcome({ state, done }: { state: ActionState; done: string }) {
  const { t } = useTranslation();
  if (state.state === 'busy') return <Typography role="status">{t('kiosk.working')}</Typography>;
  if (state.state === 'done')
    return (
      <Alert severity="success" data-testid={kioskTestIds.actionDone} sx={{ fontSize: '1.15rem', width: '100%' }}>
        {done}
      </Alert>
    );
  if (state.state === 'refused')
    return (
      <Alert severity="error" data-testid={kioskTestIds.actionProblem} sx={{ fontSize: '1.15rem', width: '100%' }}>
        <ProblemText problem={state.problem} />
      </Alert>
    );
  return null;
}

/** Change the PIN or the PUK: the current one, the new one twice, all on the pad. */
export function KioskSecurity() {
  const { t } = useTranslation();
  const flow = useKioskFlow();
  const [change, setChange] = useState<Change | null>(null);
  const action = useKioskAction();
  const shuffle = flow.status?.shufflePinPad ?? false;

  const done = ([current, next]: string[]): void => {
    if (current === undefined || next === undefined || change === null) return;
    void action.run(change === 'changePin' ? carddesk().kiosk.changePin({ currentPin: current, newPin: next }) : carddesk().kiosk.changePuk({ currentPuk: current, newPuk: next }));
  };

  if (change === null || action.state.state === 'done') {
    return (
      <Box sx={{ display: 'grid', gap: 2, maxWidth: 640 }}>
        {action.state.state === 'done' && change !== null ? <ActionOutcome state={action.state} done={t(`kiosk.security.done.${change}`)} /> : null}
        <Typography variant="h6" component="p">
          {t('kiosk.security.intro')}
        </Typography>
        {changes.map((name) => (
          <Button
            key={name}
            variant="contained"
            data-testid={kioskTestIds.securityAction(name)}
            sx={{ minHeight: 72, fontSize: '1.25rem' }}
            onClick={() => {
              action.reset();
              setChange(name);
            }}
          >
            {t(`kiosk.security.${name}`)}
          </Button>
        ))}
      </Box>
    );
  }

  const steps =
    change === 'changePin'
      ? [{ prompt: t('kiosk.security.currentPin') }, { prompt: t('kiosk.security.newPin') }, { prompt: t('kiosk.security.repeatPin'), repeats: true }]
      : [{ prompt: t('kiosk.security.currentPuk') }, { prompt: t('kiosk.security.newPuk') }, { prompt: t('kiosk.security.repeatPuk'), repeats: true }];

  return (
    <Box sx={{ display: 'grid', gap: 3, justifyItems: 'center' }}>
      <Typography variant="h5" component="h2">
        {t(`kiosk.security.${change}`)}
      </Typography>
      <PinSteps key={change} steps={steps} onDone={done} shuffle={shuffle} disabled={action.state.state === 'busy'}>
        <ActionOutcome state={action.state} done="" />
      </PinSteps>
      <Button variant="outlined" sx={{ minHeight: 56, px: 4, fontSize: '1.15rem' }} onClick={() => setChange(null)} disabled={action.state.state === 'busy'}>
        {t('kiosk.back')}
      </Button>
    </Box>
  );
}
