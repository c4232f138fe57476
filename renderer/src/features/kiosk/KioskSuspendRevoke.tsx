import { useState } from 'react';
import { Alert, Box, Button, Paper, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { carddesk } from '../../api/carddesk';
import { useFormat } from '../../i18n/format';
import { useHolder } from './HolderContext';
import { useKioskFlow } from './KioskFlow';
import { ActionOutcome } from './KioskSecurity';
import { DaysPicker } from './DaysPicker';
import { PinPad } from './PinPad';
import { useKioskAction } from './useKioskAction';
import { RevokeChoice, type RevocationReason as Reason } from './RevokeChoice';
import { kioskTestIds } from './testIds';

const big = { minHeight: 72, fontSize: '1.25rem', px: 4 } as const;

function KeyServicesOff() {
  const { t } = useTranslation();
  return (
    <Alert severity="warning" data-testid={kioskTestIds.keyServicesOff} sx={{ fontSize: '1.15rem' }}>
      {t('kiosk.keyServicesOff')}
    </Alert>
  );
}

/** Suspend my certificates for 1–30 days: they return by themselves on the date shown. */
export function KioskSuspend() {
  const { t } = useTranslation();
  const format = useFormat();
  const flow = useKioskFlow();
  const { home } = useHolder();
  const [days, setDays] = useState(7);
  const [confirming, setConfirming] = useState(false);
  const action = useKioskAction();
  if (flow.status?.keyServices === 'vaultLocked') return <KeyServicesOff />;

  const back = new Date();
  back.setDate(back.getDate() + days);
  const returns = format.date(back, 'long');
  const held = home.certificates.map((certificate) => certificate.holdUntil).find((until) => until !== null) ?? null;

  if (action.state.state === 'done') {
    return <ActionOutcome state={action.state} done={t('kiosk.suspend.done', { date: held === null ? returns : format.date(held, 'long') })} />;
  }
  if (held !== null) {
    return (
      <Alert severity="info" sx={{ fontSize: '1.15rem' }}>
        {t('kiosk.suspend.already', { date: format.date(held, 'long') })}
      </Alert>
    );
  }

  return (
    <Box sx={{ display: 'grid', gap: 3, maxWidth: 760 }}>
      <Typography variant="h6" component="p">
        {t('kiosk.suspend.intro')}
      </Typography>
      <DaysPicker days={days} onChange={setDays} disabled={confirming} />
      <Typography variant="h6" component="p" data-testid={kioskTestIds.suspendReturn}>
        {t('kiosk.suspend.returns', { date: returns })}
      </Typography>
      {!confirming ? (
        <Button variant="contained" sx={big} data-testid={kioskTestIds.suspendConfirm} onClick={() => setConfirming(true)}>
          {t('kiosk.suspend.button')}
        </Button>
      ) : (
        <Paper variant="outlined" sx={{ p: 3, display: 'grid', gap: 2, borderColor: 'warning.main', borderWidth: 2 }}>
          <Typography variant="h5" component="h2">
            {t('kiosk.suspend.confirmTitle')}
          </Typography>
          <Typography variant="h6" component="p">
            {t('kiosk.suspend.confirmBody', { date: returns })}
          </Typography>
          {home.secondFactor ? (
            // The authenticator's code confirms it: the services refuse a suspension without it.
            <PinPad prompt={t('kiosk.factorPrompt')} disabled={action.state.state === 'busy'} onSubmit={(code) => void action.run(carddesk().kiosk.suspend({ days, secondFactor: code }))}>
              <ActionOutcome state={action.state} done="" />
            </PinPad>
          ) : null}
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
            {home.secondFactor ? null : (
              <Button variant="contained" color="warning" sx={big} disabled={action.state.state === 'busy'} data-testid={kioskTestIds.suspendDo} onClick={() => void action.run(carddesk().kiosk.suspend({ days }))}>
                {t('kiosk.suspend.do')}
              </Button>
            )}
            <Button variant="outlined" sx={big} disabled={action.state.state === 'busy'} onClick={() => setConfirming(false)}>
              {t('kiosk.back')}
            </Button>
          </Box>
          {home.secondFactor ? null : <ActionOutcome state={action.state} done="" />}
        </Paper>
      )}
    </Box>
  );
}

/**
 * Revoke my certificates: a reason, an explicit "this cannot be undone", the authenticator's code
 * when the holder has one, then the PIN again.
 */
export function KioskRevoke() {
  const { t } = useTranslation();
  const flow = useKioskFlow();
  const { home } = useHolder();
  const [reason, setReason] = useState<Reason>('unspecified');
  const [pinStep, setPinStep] = useState(false);
  const [factor, setFactor] = useState<string | null>(null);
  const action = useKioskAction();
  if (flow.status?.keyServices === 'vaultLocked') return <KeyServicesOff />;

  if (action.state.state === 'done') return <ActionOutcome state={action.state} done={t('kiosk.revoke.done')} />;

  const revoke = async (pin: string): Promise<void> => {
    const done = await action.run(carddesk().kiosk.revoke({ reason, pin, ...(factor === null ? {} : { secondFactor: factor }) }));
    // The services took the code before the PIN: after any refusal a new one is asked (each is taken once).
    if (!done) setFactor(null);
  };
  const askFactor = home.secondFactor && factor === null;

  if (pinStep) {
    return (
      <Box sx={{ display: 'grid', gap: 3, justifyItems: 'center' }}>
        <Alert severity="error" sx={{ fontSize: '1.15rem', width: '100%' }}>
          {t('kiosk.revoke.lastChance', { reason: t(`certificates.reasons.${reason}`) })}
        </Alert>
        {askFactor ? (
          <PinPad key="factor" prompt={t('kiosk.factorPrompt')} onSubmit={(code) => { action.reset(); setFactor(code); }} disabled={action.state.state === 'busy'}>
            <ActionOutcome state={action.state} done="" />
          </PinPad>
        ) : (
          <PinPad key="pin" prompt={t('kiosk.revoke.pinPrompt')} onSubmit={(pin) => void revoke(pin)} shuffle={flow.status?.shufflePinPad ?? false} disabled={action.state.state === 'busy'}>
            <ActionOutcome state={action.state} done="" />
          </PinPad>
        )}
        <Button variant="outlined" sx={big} disabled={action.state.state === 'busy'} onClick={() => { setPinStep(false); setFactor(null); }}>
          {t('kiosk.back')}
        </Button>
      </Box>
    );
  }

  return (
    <Box sx={{ display: 'grid', gap: 3, maxWidth: 760 }}>
      <RevokeChoice
        intro={t('kiosk.revoke.intro')}
        understand={t('kiosk.revoke.understand')}
        next={t('kiosk.revoke.next')}
        idPrefix="kiosk"
        testIds={kioskTestIds}
        reason={reason}
        onReason={setReason}
        onNext={() => setPinStep(true)}
      />
    </Box>
  );
}
