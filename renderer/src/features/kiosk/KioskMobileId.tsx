import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Box, Button, Checkbox, Chip, FormControlLabel, Paper, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Envelope, ErrorCode } from '@shared/errors';
import type { KioskRefusal } from '@shared/schemas/kiosk';
import type { KioskMobileId as MobileId, KioskMobileIssued, KioskMobileRefusal, KioskMobileResult } from '@shared/schemas/kiosk-mobile';
import { carddesk, errorCodeOf } from '../../api/carddesk';
import { useFormat } from '../../i18n/format';
import { DaysPicker } from './DaysPicker';
import { useHolder } from './HolderContext';
import { isSessionEnded, useKioskFlow } from './KioskFlow';
import { ProblemText } from './KioskSignIn';
import { PinPad } from './PinPad';
import { RevokeChoice, type RevocationReason as Reason } from './RevokeChoice';
import { kioskTestIds } from './testIds';

export const kioskMobileTestIds = {
  panel: 'kiosk-mobile',
  row: 'kiosk-mobile-row',
  get: 'kiosk-mobile-get',
  label: (label: string) => `kiosk-mobile-label-${label}`,
  make: 'kiosk-mobile-make',
  qr: 'kiosk-mobile-qr',
  countdown: 'kiosk-mobile-countdown',
  expired: 'kiosk-mobile-expired',
  done: 'kiosk-mobile-done',
  cancel: 'kiosk-mobile-cancel',
  action: (action: string) => `kiosk-mobile-action-${action}`,
  confirm: 'kiosk-mobile-confirm',
  revokeReason: (reason: string) => `kiosk-mobile-revoke-reason-${reason}`,
  revokeUnderstand: 'kiosk-mobile-revoke-understand',
  revokeNext: 'kiosk-mobile-revoke-next',
  back: 'kiosk-mobile-back',
  outcome: 'kiosk-mobile-outcome',
  problem: 'kiosk-mobile-problem',
} as const;
const ids = kioskMobileTestIds;

const labels = ['auth', 'sign', 'enc'] as const;
type Label = (typeof labels)[number];
const big = { minHeight: 72, fontSize: '1.25rem', px: 4 } as const;
type MobileReason = Exclude<KioskMobileRefusal, KioskRefusal>;
const mobileReasons: ReadonlySet<string> = new Set<MobileReason>(['mobileNotFound', 'mobileListenerOff', 'mobileWrongState']);
const isMobileReason = (reason: KioskMobileRefusal): reason is MobileReason => mobileReasons.has(reason);

type Issued = Extract<KioskMobileIssued, { ok: true }>;
type Stage =
  | { kind: 'list' }
  | { kind: 'choose' }
  | { kind: 'qr'; issued: Issued }
  | { kind: 'lock'; target: MobileId }
  | { kind: 'revoke'; target: MobileId }
  | { kind: 'migrate'; target: MobileId };
type Problem = { reason: KioskMobileRefusal; triesLeft: number | null } | { code: ErrorCode };
type Outcome = { done: string } | { problem: Problem } | null;

function MobileProblem({ problem }: { problem: Problem }) {
  const { t } = useTranslation();
  if ('reason' in problem && isMobileReason(problem.reason)) return <>{t(`kiosk.mobile.refusal.${problem.reason}`)}</>;
  return <ProblemText problem={problem as { reason: KioskRefusal; triesLeft: number | null } | { code: ErrorCode }} />;
}

function OutcomeNote({ outcome }: { outcome: Outcome }) {
  if (outcome === null) return null;
  if ('done' in outcome)
    return (
      <Alert severity="success" data-testid={ids.outcome} sx={{ fontSize: '1.15rem' }}>
        {outcome.done}
      </Alert>
    );
  return (
    <Alert severity="error" data-testid={ids.problem} sx={{ fontSize: '1.15rem' }}>
      <MobileProblem problem={outcome.problem} />
    </Alert>
  );
}

/** "Yes": a button, or the second factor's code on the pad when the holder has one (the services ask for it). */
function Confirm({ label, busy, onConfirm }: { label: string; busy: boolean; onConfirm: (code?: string) => void }) {
  const { t } = useTranslation();
  const { home } = useHolder();
  if (home.secondFactor) return <PinPad prompt={t('kiosk.factorPrompt')} disabled={busy} onSubmit={(code) => onConfirm(code)} />;
  return (
    <Button variant="contained" sx={big} disabled={busy} data-testid={ids.confirm} onClick={() => onConfirm()}>
      {label}
    </Button>
  );
}

/** Minutes and seconds until `until`, ticking; 0 once it has passed. */
function useSecondsLeft(until: string): number {
  const left = useCallback(() => Math.max(0, Math.ceil((Date.parse(until) - Date.now()) / 1000)), [until]);
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    const timer = setInterval(() => setSeconds(left()), 1000);
    return () => clearInterval(timer);
  }, [left]);
  return seconds;
}

/**
 * The signed-in holder's mobile IDs: each with its state and certificates; get a new one (its QR
 * code large on the screen, with the code's countdown), cancel an unfinished one, lock, revoke
 * (cannot be undone: the PIN again), move to a new phone. The services decide whose mobile IDs
 * these are and check every step; this page only asks.
 */
export function KioskMobileId() {
  const { t } = useTranslation();
  const flow = useKioskFlow();
  const [mobileIds, setMobileIds] = useState<MobileId[] | null>(null);
  const [stage, setStage] = useState<Stage>({ kind: 'list' });
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const { call } = flow;
  const keysOff = flow.status?.keyServices === 'vaultLocked';

  // Read when the tab opens and again after Done on the QR code (the phone may have enrolled meanwhile).
  const [asked, setAsked] = useState(0);
  const load = (): void => setAsked((n) => n + 1);
  useEffect(() => {
    let live = true;
    call(carddesk().kiosk.mobileIds())
      .then((value) => {
        if (live) setMobileIds(value);
      })
      .catch((error: unknown) => {
        if (live && !isSessionEnded(error)) setOutcome({ problem: { code: errorCodeOf(error) } });
      });
    return () => {
      live = false;
    };
  }, [call, asked]);

  /** Runs one action; the list follows its answer. */
  const act = async <T extends KioskMobileResult | KioskMobileIssued>(envelope: Promise<Envelope<T>>, onDone: (result: Extract<T, { ok: true }>) => void): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    try {
      const result = await call(envelope);
      if (result.ok) onDone(result as Extract<T, { ok: true }>);
      else setOutcome({ problem: { reason: result.reason, triesLeft: result.triesLeft } });
    } catch (error) {
      if (!isSessionEnded(error)) setOutcome({ problem: { code: errorCodeOf(error) } });
    } finally {
      setBusy(false);
    }
  };
  const listed = (done: string) => (result: Extract<KioskMobileResult, { ok: true }>) => {
    setMobileIds(result.mobileIds);
    setStage({ kind: 'list' });
    setOutcome({ done });
  };
  const showQr = (result: Issued) => setStage({ kind: 'qr', issued: result });
  const back = (): void => {
    setOutcome(null);
    setStage({ kind: 'list' });
  };

  const frame = (children: ReactNode) => (
    <Box data-testid={ids.panel} data-stage={stage.kind} sx={{ display: 'grid', gap: 3, maxWidth: 820 }}>
      {children}
    </Box>
  );

  if (stage.kind === 'qr') {
    return frame(
      <QrStep
        issued={stage.issued}
        busy={busy}
        onDone={() => {
          back();
          load();
        }}
        onCancel={() => void act(carddesk().kiosk.mobileCancel({ id: stage.issued.mobileId.id }), listed(t('kiosk.mobile.cancelled')))}
        outcome={outcome}
      />,
    );
  }
  if (stage.kind === 'choose') {
    return frame(<ChooseStep busy={busy} outcome={outcome} onBack={back} onMake={(chosen, code) => void act(carddesk().kiosk.mobileIssue({ ...(chosen.length === 0 ? {} : { labels: chosen }), ...(code === undefined ? {} : { secondFactor: code }) }), showQr)} />);
  }
  if (stage.kind === 'lock') {
    return frame(<LockStep busy={busy} outcome={outcome} onBack={back} onLock={(days, code) => void act(carddesk().kiosk.mobileLock({ id: stage.target.id, days, ...(code === undefined ? {} : { secondFactor: code }) }), listed(t('kiosk.mobile.lockDone')))} />);
  }
  if (stage.kind === 'revoke') {
    return frame(
      <RevokeStep
        busy={busy}
        outcome={outcome}
        onBack={back}
        onRevoke={(reason, pin, code) => act(carddesk().kiosk.mobileRevoke({ id: stage.target.id, reason, pin, ...(code === undefined ? {} : { secondFactor: code }) }), listed(t('kiosk.mobile.revokeDone')))}
      />,
    );
  }
  if (stage.kind === 'migrate') {
    return frame(
      <>
        <Typography variant="h6" component="p">
          {t('kiosk.mobile.migrateIntro')}
        </Typography>
        <Confirm label={t('kiosk.mobile.migrateDo')} busy={busy} onConfirm={(code) => void act(carddesk().kiosk.mobileMigrate({ id: stage.target.id, ...(code === undefined ? {} : { secondFactor: code }) }), showQr)} />
        <OutcomeNote outcome={outcome} />
        <BackButton busy={busy} onBack={back} />
      </>,
    );
  }

  return frame(
    <>
      <Typography variant="h6" component="p">
        {t('kiosk.mobile.intro')}
      </Typography>
      <OutcomeNote outcome={outcome} />
      {keysOff ? (
        // As for suspend and revoke: the desk's keys are needed; the services refuse without them.
        <Alert severity="warning" data-testid={kioskTestIds.keyServicesOff} sx={{ fontSize: '1.15rem' }}>
          {t('kiosk.keyServicesOff')}
        </Alert>
      ) : null}
      <Button
        variant="contained"
        sx={big}
        disabled={keysOff}
        data-testid={ids.get}
        onClick={() => {
          setOutcome(null);
          setStage({ kind: 'choose' });
        }}
      >
        {t('kiosk.mobile.get')}
      </Button>
      {mobileIds === null ? <Typography role="status">{t('kiosk.working')}</Typography> : null}
      {mobileIds?.length === 0 ? <Typography variant="h6">{t('kiosk.mobile.none')}</Typography> : null}
      {mobileIds?.map((mobileId) => (
        <MobileIdCard
          key={mobileId.id}
          mobileId={mobileId}
          onAction={(action) => {
            setOutcome(null);
            if (action === 'cancel') void act(carddesk().kiosk.mobileCancel({ id: mobileId.id }), listed(t('kiosk.mobile.cancelled')));
            else setStage({ kind: action, target: mobileId });
          }}
          busy={busy || keysOff}
        />
      ))}
    </>,
  );
}

function BackButton({ busy, onBack }: { busy: boolean; onBack: () => void }) {
  const { t } = useTranslation();
  return (
    <Button variant="outlined" sx={big} disabled={busy} data-testid={ids.back} onClick={onBack}>
      {t('kiosk.back')}
    </Button>
  );
}

const short = (id: string): string => id.slice(0, 8);

function MobileIdCard({ mobileId, onAction, busy }: { mobileId: MobileId; onAction: (action: 'lock' | 'revoke' | 'migrate' | 'cancel') => void; busy: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { state } = mobileId;
  const actions: ('lock' | 'revoke' | 'migrate' | 'cancel')[] = [
    ...(state === 'active' ? (['lock'] as const) : []),
    ...(state === 'active' || state === 'locked' ? (['migrate'] as const) : []),
    ...(state === 'pending' ? (['cancel'] as const) : []),
    ...(state !== 'revoked' && state !== 'cancelled' && state !== 'pending' ? (['revoke'] as const) : []),
  ];
  const words: Record<(typeof actions)[number], string> = { lock: t('kiosk.mobile.lock'), revoke: t('kiosk.mobile.revoke'), migrate: t('kiosk.mobile.migrate'), cancel: t('kiosk.mobile.cancelPending') };
  return (
    <Paper variant="outlined" data-testid={ids.row} data-id={mobileId.id} data-state={state} sx={{ p: 3, display: 'grid', gap: 1.5 }}>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography variant="h5" component="h2">
          {mobileId.labels.map((label) => t(`mobile.labels.${label}`)).join(' · ')}
        </Typography>
        <Chip label={t(`mobile.states.${state}`)} color={state === 'active' ? 'success' : state === 'pending' ? 'info' : state === 'locked' ? 'warning' : 'default'} sx={{ fontSize: '1rem' }} />
      </Box>
      <Typography variant="body1">
        {t('kiosk.mobile.created')}: {format.date(mobileId.createdAt, 'long')} — {t('kiosk.mobile.validUntil')}: {format.date(mobileId.expiresAt, 'long')}
      </Typography>
      {mobileId.certificates.length === 0 ? (
        <Typography variant="body1">{t('kiosk.mobile.noCertificates')}</Typography>
      ) : (
        <Box component="ul" aria-label={t('kiosk.mobile.certificates')} sx={{ m: 0, pl: 3 }}>
          {mobileId.certificates.map((certificate) => (
            <Typography component="li" variant="body1" key={certificate.serial}>
              {t('kiosk.mobile.certificate', { use: t(`mobile.labels.${certificate.label}`), serial: certificate.serial, date: format.date(certificate.notAfter, 'long') })}
            </Typography>
          ))}
        </Box>
      )}
      {mobileId.supersedes === null ? null : <Typography variant="body1">{t('kiosk.mobile.replaces', { id: short(mobileId.supersedes) })}</Typography>}
      {mobileId.replacedBy === null ? null : <Typography variant="body1">{t('kiosk.mobile.replacedBy', { id: short(mobileId.replacedBy) })}</Typography>}
      {actions.length === 0 ? null : (
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
          {actions.map((action) => (
            <Button key={action} variant="outlined" color={action === 'revoke' ? 'error' : 'primary'} sx={{ minHeight: 64, fontSize: '1.1rem' }} disabled={busy} data-testid={ids.action(action)} onClick={() => onAction(action)}>
              {words[action]}
            </Button>
          ))}
        </Box>
      )}
    </Paper>
  );
}

function ChooseStep({ busy, outcome, onBack, onMake }: { busy: boolean; outcome: Outcome; onBack: () => void; onMake: (labels: Label[], code?: string) => void }) {
  const { t } = useTranslation();
  const [chosen, setChosen] = useState<Label[]>([]);
  const toggle = (label: Label, on: boolean): void => setChosen((current) => labels.filter((l) => (l === label ? on : current.includes(l))));
  return (
    <>
      <Typography variant="h6" component="h2" id="kiosk-mobile-choose">
        {t('kiosk.mobile.choose')}
      </Typography>
      <Box role="group" aria-labelledby="kiosk-mobile-choose" sx={{ display: 'grid', gap: 1 }}>
        {labels.map((label) => (
          <Paper key={label} variant="outlined" sx={{ px: 2 }}>
            <FormControlLabel
              control={<Checkbox checked={chosen.includes(label)} disabled={busy} onChange={(event) => toggle(label, event.target.checked)} slotProps={{ input: { 'data-testid': ids.label(label) } as object }} />}
              label={<Typography variant="h6" component="span">{t(`mobile.labels.${label}`)}</Typography>}
              sx={{ minHeight: 64, width: '100%', m: 0 }}
            />
          </Paper>
        ))}
      </Box>
      <Typography variant="body1" color="text.secondary">
        {t('kiosk.mobile.chooseHint')}
      </Typography>
      <Confirm label={t('kiosk.mobile.make')} busy={busy} onConfirm={(code) => onMake(chosen, code)} />
      <OutcomeNote outcome={outcome} />
      <BackButton busy={busy} onBack={onBack} />
    </>
  );
}

function QrStep({ issued, busy, onDone, onCancel, outcome }: { issued: Issued; busy: boolean; onDone: () => void; onCancel: () => void; outcome: Outcome }) {
  const { t } = useTranslation();
  const seconds = useSecondsLeft(issued.codeExpiresAt);
  const time = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  return (
    <>
      <Typography variant="h5" component="h2">
        {t('kiosk.mobile.qrTitle')}
      </Typography>
      {seconds > 0 ? (
        <Box component="img" src={issued.qr} alt={t('kiosk.mobile.qrAlt')} data-testid={ids.qr} sx={{ width: 440, maxWidth: '100%', aspectRatio: '1', justifySelf: 'center', bgcolor: '#fff', p: 1 }} />
      ) : null}
      {seconds > 0 ? (
        <Typography variant="h6" component="p" role="timer" data-testid={ids.countdown} data-seconds={seconds}>
          {t('kiosk.mobile.countdown', { time })}
        </Typography>
      ) : (
        <Alert severity="warning" data-testid={ids.expired} sx={{ fontSize: '1.15rem' }}>
          {t('kiosk.mobile.expired')}
        </Alert>
      )}
      <Typography variant="body1">{t('kiosk.mobile.private')}</Typography>
      <OutcomeNote outcome={outcome} />
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
        <Button variant="contained" sx={big} disabled={busy} data-testid={ids.done} onClick={onDone}>
          {t('kiosk.mobile.done')}
        </Button>
        <Button variant="outlined" color="warning" sx={big} disabled={busy} data-testid={ids.cancel} onClick={onCancel}>
          {t('kiosk.mobile.cancel')}
        </Button>
      </Box>
    </>
  );
}

function LockStep({ busy, outcome, onBack, onLock }: { busy: boolean; outcome: Outcome; onBack: () => void; onLock: (days: number, code?: string) => void }) {
  const { t } = useTranslation();
  const [days, setDays] = useState(7);
  return (
    <>
      <Typography variant="h6" component="p">
        {t('kiosk.mobile.lockIntro')}
      </Typography>
      <DaysPicker days={days} onChange={setDays} disabled={busy} />
      <Confirm label={t('kiosk.mobile.lockDo')} busy={busy} onConfirm={(code) => onLock(days, code)} />
      <OutcomeNote outcome={outcome} />
      <BackButton busy={busy} onBack={onBack} />
    </>
  );
}

/** Revoke: a reason, "this cannot be undone", the second factor's code when the holder has one, then the PIN. */
function RevokeStep({ busy, outcome, onBack, onRevoke }: { busy: boolean; outcome: Outcome; onBack: () => void; onRevoke: (reason: Reason, pin: string, code?: string) => Promise<void> }) {
  const { t } = useTranslation();
  const flow = useKioskFlow();
  const { home } = useHolder();
  const [reason, setReason] = useState<Reason>('unspecified');
  const [pinStep, setPinStep] = useState(false);
  const [factor, setFactor] = useState<string | null>(null);

  if (pinStep) {
    const askFactor = home.secondFactor && factor === null;
    return (
      <>
        <Alert severity="error" sx={{ fontSize: '1.15rem' }}>
          {t('kiosk.mobile.revokeIntro')}
        </Alert>
        {askFactor ? (
          <PinPad key="factor" prompt={t('kiosk.factorPrompt')} disabled={busy} onSubmit={(code) => setFactor(code)} />
        ) : (
          <PinPad
            key="pin"
            prompt={t('kiosk.mobile.revokePin')}
            shuffle={flow.status?.shufflePinPad ?? false}
            disabled={busy}
            onSubmit={(pin) => {
              void onRevoke(reason, pin, factor ?? undefined).then(() => setFactor(null));
            }}
          />
        )}
        <OutcomeNote outcome={outcome} />
        <BackButton busy={busy} onBack={onBack} />
      </>
    );
  }
  return (
    <>
      <RevokeChoice
        intro={t('kiosk.mobile.revokeIntro')}
        understand={t('kiosk.mobile.revokeUnderstand')}
        next={t('kiosk.mobile.revokeNext')}
        idPrefix="kiosk-mobile"
        testIds={ids}
        reason={reason}
        onReason={setReason}
        onNext={() => setPinStep(true)}
      />
      <BackButton busy={busy} onBack={onBack} />
    </>
  );
}
