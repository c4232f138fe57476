import { useState } from 'react';
import { Alert, Box, Button, Paper, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { ErrorCode } from '@shared/errors';
import type { KioskCertificate } from '@shared/schemas/kiosk';
import { carddesk, errorCodeOf } from '../../api/carddesk';
import { saveDownload } from '../../api/download';
import { useFormat } from '../../i18n/format';
import { useHolder } from './HolderContext';
import { Fact } from './KioskHome';
import { isSessionEnded, useKioskFlow } from './KioskFlow';
import { kioskTestIds } from './testIds';

const fileFormats = ['pem', 'der'] as const;

/** The card's certificates in plain words; a tap shows one in detail, with downloads where files are allowed. */
export function KioskCertificates() {
  const { t } = useTranslation();
  const format = useFormat();
  const { home } = useHolder();
  const flow = useKioskFlow();
  const [open, setOpen] = useState<string | null>(null);
  const [failure, setFailure] = useState<ErrorCode | null>(null);
  const filesAllowed = flow.status?.filesAllowed ?? false;
  const chosen = home.certificates.find((certificate) => certificate.serial === open);

  const download = (certificate: KioskCertificate, fileFormat: 'pem' | 'der'): void => {
    setFailure(null);
    flow
      .call(carddesk().kiosk.certificate({ serial: certificate.serial, format: fileFormat }))
      .then(saveDownload)
      .catch((error: unknown) => {
        if (!isSessionEnded(error)) setFailure(errorCodeOf(error));
      });
  };

  const plain = (certificate: KioskCertificate): string => {
    if (certificate.status === 'suspended' && certificate.holdUntil !== null) return t('kiosk.certificates.suspendedUntil', { date: format.date(certificate.holdUntil, 'long') });
    return t(`kiosk.certificates.plain.${certificate.status}`, { date: format.date(certificate.notAfter, 'long') });
  };

  if (chosen !== undefined) {
    return (
      <Box sx={{ display: 'grid', gap: 3 }}>
        <Paper variant="outlined" sx={{ p: 3, display: 'grid', gap: 2 }}>
          <Typography variant="h5" component="h2">
            {t(`certificates.profiles.${chosen.profile}`)}
          </Typography>
          <Typography variant="body1">{t(`kiosk.certificates.purpose.${chosen.profile}`)}</Typography>
          <Typography variant="h6" component="p">
            {plain(chosen)}
          </Typography>
          <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
            <Fact label={t('kiosk.certificates.status')} value={t(`certificates.statuses.${chosen.status}`)} />
            <Fact label={t('kiosk.certificates.serial')} value={<span style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{chosen.serial}</span>} />
            <Fact label={t('kiosk.certificates.issued')} value={format.date(chosen.notBefore, 'long')} />
            <Fact label={t('kiosk.certificates.expires')} value={format.date(chosen.notAfter, 'long')} />
          </Box>
        </Paper>
        {filesAllowed ? (
          <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
            {fileFormats.map((fileFormat) => (
              <Button key={fileFormat} variant="contained" sx={{ minHeight: 64, px: 4, fontSize: '1.15rem' }} data-testid={kioskTestIds.certificateDownload(fileFormat)} onClick={() => download(chosen, fileFormat)}>
                {t('kiosk.certificates.download', { format: t(`certificates.formats.${fileFormat}`) })}
              </Button>
            ))}
          </Box>
        ) : null}
        {failure !== null ? <Alert severity="error">{t(`errors.${failure}`)}</Alert> : null}
        <Button variant="outlined" sx={{ minHeight: 56, fontSize: '1.15rem', justifySelf: 'start', px: 4 }} onClick={() => setOpen(null)}>
          {t('kiosk.back')}
        </Button>
      </Box>
    );
  }

  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      {home.certificates.length === 0 ? <Typography variant="h6">{t('kiosk.certificates.none')}</Typography> : null}
      {home.certificates.map((certificate) => (
        <Button
          key={certificate.serial}
          variant="outlined"
          data-testid={kioskTestIds.certificate(certificate.serial)}
          onClick={() => setOpen(certificate.serial)}
          sx={{ minHeight: 88, display: 'grid', justifyItems: 'start', textAlign: 'left', textTransform: 'none', p: 2 }}
        >
          <Typography variant="h6" component="span">
            {t(`certificates.profiles.${certificate.profile}`)} · {t(`certificates.statuses.${certificate.status}`)}
          </Typography>
          <Typography variant="body1" component="span">
            {plain(certificate)}
          </Typography>
        </Button>
      ))}
    </Box>
  );
}
