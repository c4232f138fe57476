import { useEffect, useState } from 'react';
import { Alert, Box, Button, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { SecondFactorResult, SecondFactorStatus, TotpEnrolment } from '@shared/schemas/account-second-factor';
import { carddesk, unwrap } from '../../../api/carddesk';
import { useCommand } from '../../../app/useCommand';
import { CommandError } from '../../../components/CommandError';
import { useHolder } from '../HolderContext';
import { PinPad } from '../PinPad';

export const kioskSecondFactorTestIds = {
  panel: 'kiosk-second-factor',
  status: 'kiosk-second-factor-status',
  enrol: 'kiosk-second-factor-enrol',
  qr: 'kiosk-second-factor-qr',
  secret: 'kiosk-second-factor-secret',
  remove: 'kiosk-second-factor-remove',
  done: 'kiosk-second-factor-done',
  refused: 'kiosk-second-factor-refused',
} as const;

type Stage = { kind: 'status' } | { kind: 'enrol'; enrolment: TotpEnrolment } | { kind: 'remove' };

/** The secret in groups of four, easier to type into an app that cannot scan. */
function grouped(secret: string): string {
  return secret.replace(/=+$/, '').replace(/(.{4})/g, '$1 ').trim();
}

/**
 * The signed-in holder's second factor at the kiosk: enrol an authenticator app (a QR code large
 * enough to scan, the secret as text, then one code on the pad), or remove it with a code. The
 * enrolment's secret lives in this component's state only while the dialog is open.
 */
export function KioskSecondFactor() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<SecondFactorStatus | null>(null);
  const [stage, setStage] = useState<Stage>({ kind: 'status' });
  const [outcome, setOutcome] = useState<{ done: string } | { refused: string } | null>(null);
  const { reload } = useHolder();
  const loading = useCommand(async () => setStatus(await unwrap(carddesk().kiosk.secondFactor())));
  useEffect(() => {
    void loading.run();
    // Once, when the panel opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const beginning = useCommand(async () => {
    setOutcome(null);
    setStage({ kind: 'enrol', enrolment: await unwrap(carddesk().kiosk.totpBegin()) });
  });
  const answer = (result: SecondFactorResult, done: string): void => {
    if (result.ok) {
      setStatus(result.status);
      setStage({ kind: 'status' });
      setOutcome({ done });
      // The home says whether suspend and revoke ask for a code: read it again.
      reload();
    } else {
      setOutcome({ refused: t(`account.secondFactor.refused.${result.reason}`, { time: result.lockedUntil === null ? '' : new Date(result.lockedUntil).toLocaleTimeString() }) });
    }
  };
  const confirming = useCommand(async (code: string) => answer(await unwrap(carddesk().kiosk.totpConfirm({ code })), t('account.secondFactor.kiosk.enrolled')));
  const removing = useCommand(async (code: string) => answer(await unwrap(carddesk().kiosk.totpRemove({ code })), t('account.secondFactor.kiosk.removed')));
  const busy = confirming.busy || removing.busy || beginning.busy;
  const error = loading.error ?? beginning.error ?? confirming.error ?? removing.error;

  const message =
    outcome === null ? null : 'done' in outcome ? (
      <Alert severity="success" sx={{ fontSize: '1.15rem' }} data-testid={kioskSecondFactorTestIds.done}>
        {outcome.done}
      </Alert>
    ) : (
      <Alert severity="error" sx={{ fontSize: '1.15rem' }} data-testid={kioskSecondFactorTestIds.refused}>
        {outcome.refused}
      </Alert>
    );

  if (stage.kind === 'enrol') {
    const { enrolment } = stage;
    return (
      <Box data-testid={kioskSecondFactorTestIds.panel} sx={{ display: 'grid', gap: 2, justifyItems: 'center' }}>
        <Typography variant="h5" component="h2">
          {t('account.secondFactor.kiosk.scanTitle')}
        </Typography>
        <Typography sx={{ fontSize: '1.15rem', maxWidth: 640, textAlign: 'center' }}>{t('account.secondFactor.kiosk.scanBody')}</Typography>
        <Box component="img" src={enrolment.qr} alt={t('account.secondFactor.kiosk.qrAlt')} data-testid={kioskSecondFactorTestIds.qr} sx={{ width: 320, height: 320, bgcolor: '#fff', p: 1 }} />
        <Typography sx={{ fontSize: '1.05rem' }}>{t('account.secondFactor.kiosk.manual')}</Typography>
        <Typography component="code" data-testid={kioskSecondFactorTestIds.secret} sx={{ fontFamily: 'monospace', fontSize: '1.4rem', letterSpacing: 1, wordBreak: 'break-all', maxWidth: 640, textAlign: 'center' }}>
          {grouped(enrolment.secret)}
        </Typography>
        {message}
        <CommandError error={error} />
        <PinPad prompt={t('account.secondFactor.kiosk.typeCode')} minLength={enrolment.digits} maxLength={enrolment.digits} disabled={busy} onSubmit={(code) => void confirming.run(code)} />
        <Button
          onClick={() => {
            setOutcome(null);
            setStage({ kind: 'status' });
          }}
          disabled={busy}
        >
          {t('common.cancel')}
        </Button>
      </Box>
    );
  }

  if (stage.kind === 'remove') {
    return (
      <Box data-testid={kioskSecondFactorTestIds.panel} sx={{ display: 'grid', gap: 2, justifyItems: 'center' }}>
        <Typography variant="h5" component="h2">
          {t('account.secondFactor.kiosk.removeTitle')}
        </Typography>
        {message}
        <CommandError error={error} />
        <PinPad prompt={t('account.secondFactor.kiosk.typeCode')} minLength={6} maxLength={8} disabled={busy} onSubmit={(code) => void removing.run(code)} />
        <Button
          onClick={() => {
            setOutcome(null);
            setStage({ kind: 'status' });
          }}
          disabled={busy}
        >
          {t('common.cancel')}
        </Button>
      </Box>
    );
  }

  return (
    <Box data-testid={kioskSecondFactorTestIds.panel} sx={{ display: 'grid', gap: 2, maxWidth: 640 }}>
      <Typography variant="h6" component="h2">
        {t('account.secondFactor.title')}
      </Typography>
      {message}
      <CommandError error={error} />
      {status === null ? null : (
        <Typography sx={{ fontSize: '1.15rem' }} data-testid={kioskSecondFactorTestIds.status} data-method={status.method} data-state={status.state}>
          {status.state !== 'enrolled'
            ? t('account.secondFactor.kiosk.none')
            : status.method === 'token'
              ? t('account.secondFactor.statusToken', { serial: status.tokenSerial ?? '' })
              : t('account.secondFactor.statusApp')}
        </Typography>
      )}
      {status !== null && status.state !== 'enrolled' ? (
        <Button variant="contained" sx={{ minHeight: 72, fontSize: '1.25rem' }} disabled={busy} onClick={() => void beginning.run()} data-testid={kioskSecondFactorTestIds.enrol}>
          {t('account.secondFactor.kiosk.enrol')}
        </Button>
      ) : null}
      {status?.state === 'enrolled' ? (
        <Button
          variant="outlined"
          color="error"
          sx={{ minHeight: 72, fontSize: '1.25rem' }}
          disabled={busy}
          onClick={() => {
            setOutcome(null);
            setStage({ kind: 'remove' });
          }}
          data-testid={kioskSecondFactorTestIds.remove}
        >
          {t('account.secondFactor.kiosk.remove')}
        </Button>
      ) : null}
    </Box>
  );
}
