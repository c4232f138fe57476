import { useEffect, useState } from 'react';
import { Alert, Box, CircularProgress, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Download } from '@shared/schemas/certificates';
import type { PdfVerifyReport } from '@shared/schemas/contracts';
import type { ErrorCode } from '@shared/errors';
import { carddesk, errorCodeOf } from '../../api/carddesk';
import { saveDownload } from '../../api/download';
import { useFormat } from '../../i18n/format';
import { bytesOf, useKioskDocumentViews } from './documentViews';
import { useHolder } from './HolderContext';
import { isSessionEnded, useKioskFlow } from './KioskFlow';

type Loaded = { state: 'loading' } | { state: 'none' } | { state: 'failed'; code: ErrorCode } | { state: 'ready'; file: Download; bytes: Uint8Array; report: PdfVerifyReport };

/** The holder's signed contract in the desk's viewer with its signature panel, read-only. */
export function KioskContract() {
  const { t } = useTranslation();
  const format = useFormat();
  const flow = useKioskFlow();
  const { home } = useHolder();
  const { Viewer, Signatures } = useKioskDocumentViews();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const { call } = flow;
  const filesAllowed = flow.status?.filesAllowed ?? false;

  useEffect(() => {
    let current = true;
    call(carddesk().kiosk.contract())
      .then((value) => {
        if (!current) return;
        setLoaded(value === null ? { state: 'none' } : { state: 'ready', file: value.document, bytes: bytesOf(value.document.base64), report: value.report });
      })
      .catch((error: unknown) => {
        if (current && !isSessionEnded(error)) setLoaded({ state: 'failed', code: errorCodeOf(error) });
      });
    return () => {
      current = false;
    };
  }, [call]);

  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      {home.contract !== null && home.contract.signedAt !== null ? <Typography variant="h6">{t('kiosk.contract.signedAt', { date: format.date(home.contract.signedAt, 'long') })}</Typography> : null}
      {loaded.state === 'loading' ? <CircularProgress aria-label={t('common.loading')} /> : null}
      {loaded.state === 'none' ? <Typography variant="h6">{t('kiosk.contract.none')}</Typography> : null}
      {loaded.state === 'failed' ? <Alert severity="error">{t(`errors.${loaded.code}`)}</Alert> : null}
      {loaded.state === 'ready' ? (
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: '1fr', '@media (orientation: landscape) and (min-width: 1600px)': { gridTemplateColumns: 'minmax(0, 3fr) minmax(280px, 2fr)' } }}>
          <Viewer data={loaded.bytes} fileName={loaded.file.fileName} onDownload={filesAllowed ? () => saveDownload(loaded.file) : null} height="min(62vh, 1100px)" />
          <Signatures report={loaded.report} />
        </Box>
      ) : null}
    </Box>
  );
}
