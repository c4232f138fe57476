import { useCallback, useEffect, useState } from 'react';
import { Box, Breadcrumbs, Chip, Link, Paper, Typography } from '@mui/material';
import { Link as RouterLink, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { CertificateActions } from './CertificateActions';
import { statusColor } from './labels';
import { certificatesTestIds } from './testIds';
import type { CertificateDetail } from './types';

function Fact({ name, label, children }: { name: string; label: string; children: React.ReactNode }) {
  return (
    <Box sx={{ display: 'contents' }}>
      <Typography component="dt" color="text.secondary">
        {label}
      </Typography>
      <Typography component="dd" sx={{ m: 0, wordBreak: 'break-word' }} data-testid={certificatesTestIds.field(name)}>
        {children}
      </Typography>
    </Box>
  );
}

/** Everything in a certificate, decoded, with its chain and revocation status, and the actions on it. */
export function CertificateDetailView() {
  const { t } = useTranslation();
  const format = useFormat();
  const { serial = '' } = useParams();
  const navigate = useNavigate();
  const [certificate, setCertificate] = useState<CertificateDetail | null>(null);
  const loading = useCommand(async (wanted: string) => setCertificate(await unwrap(carddesk().certificates.get({ serial: wanted }))));
  const get = loading.run;
  const load = useCallback(() => void get(serial), [get, serial]);
  useEffect(load, [load]);

  if (certificate === null) return loading.error === null ? <Typography role="status">{t('common.loading')}</Typography> : <CommandError error={loading.error} />;
  const when = (iso: string | null) => (iso === null ? '—' : format.dateTime(iso));
  const list = (items: readonly string[]) => (items.length === 0 ? '—' : items.join(', '));

  return (
    <Box data-testid={certificatesTestIds.detail} data-serial={certificate.serial} sx={{ maxWidth: 1100 }}>
      <Breadcrumbs aria-label={t('common.breadcrumbs')} sx={{ mb: 1 }}>
        <Link component={RouterLink} to="/certificates">
          {t('nav.certificates')}
        </Link>
        <Typography color="text.primary" sx={{ fontFamily: 'monospace' }}>
          {certificate.serial}
        </Typography>
      </Breadcrumbs>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 2, flexWrap: 'wrap' }}>
        <Typography variant="h4" component="h1">
          {certificate.subject}
        </Typography>
        <Chip color={statusColor(certificate.status)} label={t(`certificates.statuses.${certificate.status}`)} data-testid={certificatesTestIds.status} data-status={certificate.status} />
      </Box>
      <CertificateActions certificate={certificate} onChanged={load} onRenewed={(renewed) => void navigate(`/certificates/${renewed}`)} />
      <Paper variant="outlined" sx={{ p: 3, mb: 3 }}>
        <Typography variant="h6" component="h2" sx={{ mb: 2 }}>
          {t('certificates.decoded')}
        </Typography>
        <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: { xs: '1fr', md: '220px 1fr' }, columnGap: 2, rowGap: 1 }}>
          <Fact name="serial" label={t('certificates.fields.serial')}>
            <Box component="span" sx={{ fontFamily: 'monospace' }}>
              {certificate.serial}
            </Box>
          </Fact>
          <Fact name="subject" label={t('certificates.fields.subject')}>{certificate.subject}</Fact>
          <Fact name="issuer" label={t('certificates.fields.issuer')}>{certificate.issuer}</Fact>
          <Fact name="profile" label={t('certificates.fields.profile')}>{t(`certificates.profiles.${certificate.profile}`)}</Fact>
          <Fact name="holder" label={t('certificates.fields.holder')}>
            {certificate.holderId === null ? '—' : <Link component={RouterLink} to={`/users/${certificate.holderId}`}>{certificate.holderName ?? certificate.holderId}</Link>}
          </Fact>
          <Fact name="validity" label={t('certificates.fields.validity')}>{`${when(certificate.notBefore)} – ${when(certificate.notAfter)}`}</Fact>
          <Fact name="sans" label={t('certificates.fields.sans')}>
            {certificate.subjectAltNames.length === 0 ? '—' : certificate.subjectAltNames.map((san) => `${t(`certificates.sanTypes.${san.type}`)}: ${san.value}`).join(', ')}
          </Fact>
          <Fact name="keyUsage" label={t('certificates.fields.keyUsage')}>{list(certificate.keyUsage)}</Fact>
          <Fact name="extendedKeyUsage" label={t('certificates.fields.extendedKeyUsage')}>{list(certificate.extendedKeyUsage)}</Fact>
          <Fact name="basicConstraints" label={t('certificates.fields.basicConstraints')}>{certificate.basicConstraints ?? '—'}</Fact>
          <Fact name="publicKey" label={t('certificates.fields.publicKey')}>{certificate.publicKey}</Fact>
          <Fact name="signatureAlgorithm" label={t('certificates.fields.signatureAlgorithm')}>{certificate.signatureAlgorithm}</Fact>
          <Fact name="fingerprint" label={t('certificates.fields.fingerprint')}>
            <Box component="span" sx={{ fontFamily: 'monospace', fontSize: '0.85em' }}>
              {certificate.sha256Fingerprint}
            </Box>
          </Fact>
          <Fact name="revocation" label={t('certificates.fields.revocation')}>
            {certificate.status === 'revoked'
              ? t('certificates.revokedOn', { date: when(certificate.revokedAt), reason: t(`certificates.reasons.${certificate.reason === 'certificateHold' || certificate.reason === null ? 'unspecified' : certificate.reason}`) })
              : certificate.status === 'suspended'
                ? t('certificates.suspendedUntil', { date: when(certificate.holdUntil), then: t(`certificates.afterHoldChoices.${certificate.afterHold ?? 'release'}`) })
                : t(`certificates.statuses.${certificate.status}`)}
          </Fact>
          {certificate.renewedFrom !== null ? (
            <Fact name="renewedFrom" label={t('certificates.fields.renewedFrom')}>
              <Link component={RouterLink} to={`/certificates/${certificate.renewedFrom}`} sx={{ fontFamily: 'monospace' }}>
                {certificate.renewedFrom}
              </Link>
            </Fact>
          ) : null}
          {certificate.renewedBy !== null ? (
            <Fact name="renewedBy" label={t('certificates.fields.renewedBy')}>
              <Link component={RouterLink} to={`/certificates/${certificate.renewedBy}`} sx={{ fontFamily: 'monospace' }}>
                {certificate.renewedBy}
              </Link>
            </Fact>
          ) : null}
        </Box>
      </Paper>
      <Paper variant="outlined" sx={{ p: 3 }}>
        <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
          {t('certificates.chain')}
        </Typography>
        <Box component="ol" sx={{ m: 0, pl: 3 }}>
          {certificate.chain.map((link) => (
            <li key={link.serial}>
              <Typography>{link.subject}</Typography>
              <Typography variant="body2" color="text.secondary">
                {t('certificates.chainEntry', { serial: link.serial, date: when(link.notAfter) })}
              </Typography>
            </li>
          ))}
        </Box>
      </Paper>
    </Box>
  );
}
