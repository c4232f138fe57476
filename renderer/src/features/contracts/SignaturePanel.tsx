import type { ReactNode } from 'react';
import { Alert, Box, Chip, Paper, Stack, Typography } from '@mui/material';
import CancelIcon from '@mui/icons-material/Cancel';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import HelpIcon from '@mui/icons-material/Help';
import HistoryIcon from '@mui/icons-material/History';
import { useTranslation } from 'react-i18next';
import type { PdfSignatureReport, PdfVerifyReport } from '@shared/schemas/contracts';
import type { signatureVerdicts } from '@shared/enums';
import { useFormat } from '../../i18n/format';
import { signatureTestIds } from './viewer/testIds';

type Verdict = (typeof signatureVerdicts)[number];

/** Colour and icon per verdict; the words come from the locale, so colour is never the only sign. */
const verdictLook: Record<Verdict, { color: 'success' | 'info' | 'error' | 'warning'; icon: ReactNode }> = {
  valid: { color: 'success', icon: <CheckCircleIcon /> },
  validAtSigningTime: { color: 'info', icon: <HistoryIcon /> },
  invalid: { color: 'error', icon: <CancelIcon /> },
  indeterminate: { color: 'warning', icon: <HelpIcon /> },
};

export interface SignaturePanelProps {
  readonly report: PdfVerifyReport;
}

/**
 * What the signatures of a PDF prove, in plain words: for each signature its signer, times, the
 * integrity of what it signed, what came after, its chain and its revocation, and a verdict. The
 * report's facts come from the services; this panel only puts them into words.
 */
export function SignaturePanel({ report }: SignaturePanelProps) {
  const { t } = useTranslation();
  return (
    <Box component="section" data-testid={signatureTestIds.panel} aria-labelledby="signature-panel-title">
      <Typography id="signature-panel-title" variant="h6" component="h2" gutterBottom>
        {t('contracts.signature.title')}
      </Typography>
      {!report.readable && (
        <Alert data-testid={signatureTestIds.unreadable} severity="error" sx={{ mb: 2 }}>
          {report.problem === null ? t('contracts.signature.unreadable') : t('contracts.signature.unreadableBecause', { problem: report.problem })}
        </Alert>
      )}
      {report.signatures.length === 0 ? (
        <Typography data-testid={signatureTestIds.none}>{t('contracts.signature.none')}</Typography>
      ) : (
        <Stack spacing={2}>
          {report.signatures.map((signature, index) => (
            <SignatureCard key={`${signature.fieldName}-${index}`} signature={signature} index={index} count={report.signatures.length} />
          ))}
        </Stack>
      )}
    </Box>
  );
}

function Fact({ name, label, children }: { name: string; label: string; children: ReactNode }) {
  return (
    <Box data-testid={signatureTestIds.fact(name)} component="div" sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '12rem 1fr' }, gap: 1, py: 0.5 }}>
      <Typography component="dt" variant="body2" sx={{ fontWeight: 500 }}>
        {label}
      </Typography>
      <Typography component="dd" variant="body2" sx={{ m: 0 }}>
        {children}
      </Typography>
    </Box>
  );
}

function SignatureCard({ signature, index, count }: { signature: PdfSignatureReport; index: number; count: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const when = (value: string): string => format.dateTime(value, { style: 'long', seconds: true });
  const look = verdictLook[signature.verdict];
  const headingId = `signature-${index}-heading`;
  const { revocation, timestamp, signer, chain } = signature;

  const revocationText = (state: typeof revocation.now, atSigning: boolean): string => {
    const revokedAt = revocation.revokedAt === null ? null : when(revocation.revokedAt);
    const prefix = atSigning ? 'contracts.signature.revocationAtSigning' : 'contracts.signature.revocationNow';
    switch (state) {
      case 'good':
        return t(`${prefix}.good`);
      case 'revoked':
        return revokedAt === null ? t(`${prefix}.revoked`) : t(`${prefix}.revokedSince`, { date: revokedAt });
      case 'onHold':
        return t(`${prefix}.onHold`);
      case 'unknown':
        return t(`${prefix}.unknown`);
    }
  };

  return (
    <Paper variant="outlined" component="article" aria-labelledby={headingId} data-testid={signatureTestIds.signature(index)} sx={{ p: 2 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 1 }}>
        <Typography id={headingId} variant="subtitle1" component="h3" sx={{ flex: 1 }}>
          {signature.documentTimestamp
            ? t('contracts.signature.documentTimestampHeading', { index: index + 1, total: count })
            : t('contracts.signature.heading', { index: index + 1, total: count, name: signer?.subject ?? signature.fieldName })}
        </Typography>
        <Chip data-testid={signatureTestIds.verdict} data-verdict={signature.verdict} color={look.color} icon={<>{look.icon}</>} label={t(`contracts.signature.verdict.${signature.verdict}`)} />
      </Stack>
      <Alert severity={look.color} icon={false} sx={{ mb: 1 }}>
        {t(`contracts.signature.verdictMeaning.${signature.verdict}`)}
      </Alert>
      <Box component="dl" sx={{ m: 0 }}>
        {!signature.documentTimestamp && (
          <Fact name="signer" label={t('contracts.signature.signer')}>
            {signer === null ? t('contracts.signature.signerUnknown') : t('contracts.signature.signerIs', { subject: signer.subject, issuer: signer.issuer, serial: signer.serialNumber })}
          </Fact>
        )}
        {!signature.documentTimestamp && (
          <Fact name="claimedTime" label={t('contracts.signature.claimedTime')}>
            {signature.claimedSigningTime === null ? t('contracts.signature.claimedTimeNone') : t('contracts.signature.claimedTimeIs', { time: when(signature.claimedSigningTime) })}
          </Fact>
        )}
        <Fact name="timestamp" label={t('contracts.signature.timestamp')}>
          {timestamp === null
            ? t('contracts.signature.timestampNone')
            : !timestamp.valid
              ? t('contracts.signature.timestampInvalid', { time: when(timestamp.time), authority: timestamp.authority })
              : timestamp.trusted
                ? t('contracts.signature.timestampTrusted', { time: when(timestamp.time), authority: timestamp.authority })
                : t('contracts.signature.timestampUntrusted', { time: when(timestamp.time), authority: timestamp.authority })}
        </Fact>
        <Fact name="integrity" label={t('contracts.signature.integrity')}>
          {t(`contracts.signature.integrityIs.${signature.integrity}`)}
        </Fact>
        <Fact name="afterSigning" label={t('contracts.signature.afterSigning')}>
          {t(`contracts.signature.afterSigningIs.${signature.afterSigning}`)}
        </Fact>
        <Fact name="chain" label={t('contracts.signature.chain')}>
          {t(`contracts.signature.chainIs.${chain.status}`)}
          {chain.certificates.length > 0 && (
            <Box component="ol" sx={{ m: 0, mt: 0.5, pl: 3 }}>
              {chain.certificates.map((certificate) => (
                <li key={certificate.serialNumber}>{certificate.subject}</li>
              ))}
            </Box>
          )}
        </Fact>
        {!signature.documentTimestamp && (
          <Fact name="revocationNow" label={t('contracts.signature.revocationNowLabel')}>
            {revocationText(revocation.now, false)}
            {revocation.reason !== null && revocation.now !== 'good' ? ` ${t('contracts.signature.revocationReason', { reason: revocation.reason })}` : ''}
            {` ${t(`contracts.signature.revocationSource.${revocation.source}`)}`}
          </Fact>
        )}
        {!signature.documentTimestamp && (
          <Fact name="revocationAtSigning" label={t('contracts.signature.revocationAtSigningLabel')}>
            {revocationText(revocation.atSigningTime, true)}
          </Fact>
        )}
        {signature.level !== null && (
          <Fact name="level" label={t('contracts.signature.level')}>
            {t('contracts.signature.levelIs', { level: signature.level })}
          </Fact>
        )}
      </Box>
    </Paper>
  );
}
