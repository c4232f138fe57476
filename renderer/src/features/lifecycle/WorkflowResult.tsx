import { Alert, AlertTitle, Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { CertificateSummary } from '@shared/schemas/certificates';
import type { Letter } from '@shared/schemas/lifecycle';
import { LetterActions } from '../letters';
import { lifecycleTestIds } from './testIds';

/** Where the PIN went, said plainly: the PIN and PUK exist only in the letter, never on a screen. */
export function PinLetterNotice() {
  const { t } = useTranslation();
  return (
    <Alert severity="info" data-testid={lifecycleTestIds.pinNotice} sx={{ mt: 2 }}>
      <AlertTitle>{t('lifecycle.letters.pinNoticeTitle')}</AlertTitle>
      {t('lifecycle.letters.pinNotice')} <strong>{t('lifecycle.letters.neverAsk')}</strong>
    </Alert>
  );
}

export function LetterList({ letters, outbox }: { letters: readonly Letter[]; outbox: string | null }) {
  const { t } = useTranslation();
  if (letters.length === 0) return null;
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="subtitle1" component="h3">
        {t('lifecycle.letters.title')}
      </Typography>
      <Table size="small" aria-label={t('lifecycle.letters.title')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('lifecycle.letters.kind')}</TableCell>
            <TableCell>{t('lifecycle.letters.recipient')}</TableCell>
            <TableCell>{t('lifecycle.letters.file')}</TableCell>
            <TableCell>{t('letters.state')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {letters.map((letter) => (
            <TableRow key={letter.fileName} data-testid={lifecycleTestIds.letterRow} data-kind={letter.kind} data-recipient={letter.recipient} data-file={letter.fileName}>
              <TableCell>{t(`lifecycle.letters.kinds.${letter.kind}`)}</TableCell>
              <TableCell>{t(`lifecycle.recipients.${letter.recipient}`)}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{letter.fileName}</TableCell>
              <TableCell>
                <LetterActions letter={letter} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {outbox === null ? null : (
        <Typography variant="body2" sx={{ mt: 1 }}>
          {t('lifecycle.letters.outbox')}{' '}
          <Box component="span" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }} data-testid={lifecycleTestIds.outbox}>
            {outbox}
          </Box>
        </Typography>
      )}
    </Box>
  );
}

export function CertificateTable({ certificates }: { certificates: readonly CertificateSummary[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="subtitle1" component="h3">
        {t('lifecycle.issued.certificates')}
      </Typography>
      <Table size="small" aria-label={t('lifecycle.issued.certificates')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('certificates.fields.profile')}</TableCell>
            <TableCell>{t('certificates.fields.serial')}</TableCell>
            <TableCell>{t('certificates.fields.notAfter')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {certificates.map((certificate) => (
            <TableRow key={certificate.serial} data-testid={lifecycleTestIds.certificateRow} data-profile={certificate.profile} data-serial={certificate.serial}>
              <TableCell>{t(`certificates.profiles.${certificate.profile}`)}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{certificate.serial}</TableCell>
              <TableCell>{format.date(certificate.notAfter)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
