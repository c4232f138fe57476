import { useEffect, useState } from 'react';
import { Alert, Box, Button, CircularProgress, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import type { Download } from '@shared/schemas/certificates';
import type { ErrorCode } from '@shared/errors';
import { carddesk, errorCodeOf } from '../../api/carddesk';
import { saveDownload } from '../../api/download';
import { bytesOf, useKioskDocumentViews } from './documentViews';
import { isSessionEnded, useKioskFlow } from './KioskFlow';
import { CancelSession, ProblemText, type KioskProblem } from './KioskSignIn';
import { PinPad } from './PinPad';
import { kioskTestIds } from './testIds';

/**
 * A new card waiting for its holder: the contract to read (the desk's viewer, read-only), then the
 * PIN on the pad, and the card signs the contract; then the holder is signed in as usual.
 */
export function KioskActivate() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const flow = useKioskFlow();
  const { Viewer } = useKioskDocumentViews();
  const [document, setDocument] = useState<{ file: Download; bytes: Uint8Array } | null>(null);
  const [loadFailure, setLoadFailure] = useState<ErrorCode | null>(null);
  const [read, setRead] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<KioskProblem | null>(null);
  const { call } = flow;
  const begun = flow.begun !== null;

  useEffect(() => {
    if (!begun) return;
    call(carddesk().kiosk.pendingContract())
      .then((file) => setDocument({ file, bytes: bytesOf(file.base64) }))
      .catch((error: unknown) => {
        if (!isSessionEnded(error)) setLoadFailure(errorCodeOf(error));
      });
  }, [begun, call]);

  if (!begun) return <Navigate to="/kiosk" replace />;
  const keysOff = flow.status?.keyServices === 'vaultLocked';

  const activate = (pin: string): void => {
    setBusy(true);
    setProblem(null);
    call(carddesk().kiosk.activate({ pin }))
      .then((result) => {
        if (!result.ok) {
          if (result.reason === 'pinBlocked') void navigate('/kiosk/unblock', { replace: true });
          else setProblem({ reason: result.reason, triesLeft: result.triesLeft });
          return;
        }
        if (result.home !== null) {
          flow.signedIn(result.home);
          void navigate('/kiosk/home', { replace: true });
        } else void navigate('/kiosk/pin', { replace: true });
      })
      .catch((error: unknown) => {
        if (!isSessionEnded(error)) setProblem({ code: errorCodeOf(error) });
      })
      .finally(() => setBusy(false));
  };

  const filesAllowed = flow.status?.filesAllowed ?? false;

  return (
    <Box data-testid={kioskTestIds.activateScreen} sx={{ display: 'grid', gap: 3, justifyItems: 'center', width: '100%', maxWidth: 1400 }}>
      <Typography variant="h3" component="h1" sx={{ textAlign: 'center' }}>
        {t('kiosk.activate.title')}
      </Typography>
      {keysOff ? (
        <Alert severity="warning" data-testid={kioskTestIds.keyServicesOff} sx={{ fontSize: '1.15rem', width: '100%' }}>
          {t('kiosk.keyServicesOff')}
        </Alert>
      ) : null}
      {!read ? (
        <>
          <Typography variant="h6" component="p">
            {t('kiosk.activate.intro')}
          </Typography>
          {document === null && loadFailure === null ? <CircularProgress aria-label={t('common.loading')} /> : null}
          {loadFailure !== null ? <Alert severity="error">{t(`errors.${loadFailure}`)}</Alert> : null}
          {document !== null ? (
            <Box sx={{ width: '100%' }}>
              <Viewer data={document.bytes} fileName={document.file.fileName} onDownload={filesAllowed ? () => saveDownload(document.file) : null} height="min(60vh, 1100px)" />
            </Box>
          ) : null}
          <Button variant="contained" sx={{ minHeight: 72, fontSize: '1.3rem', px: 4 }} disabled={document === null || keysOff} data-testid={kioskTestIds.activateRead} onClick={() => setRead(true)}>
            {t('kiosk.activate.readIt')}
          </Button>
        </>
      ) : (
        <PinPad prompt={t('kiosk.activate.prompt')} onSubmit={activate} shuffle={flow.status?.shufflePinPad ?? false} disabled={busy}>
          {busy ? <Typography role="status">{t('kiosk.activate.signing')}</Typography> : null}
          {problem !== null ? (
            <Alert severity="error" data-testid={kioskTestIds.pinProblem} sx={{ fontSize: '1.15rem', width: '100%' }}>
              <ProblemText problem={problem} />
            </Alert>
          ) : null}
        </PinPad>
      )}
      <CancelSession />
    </Box>
  );
}
