import { useEffect, useId, useState } from 'react';
import { Box, Button, Chip, FormControl, InputLabel, Link, MenuItem, Select, TextField } from '@mui/material';
import { Link as RouterLink, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { CertificateListArgs } from '@shared/schemas/certificates';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { useLiveRefresh } from '../access-history';
import { CommandError } from '../../components/CommandError';
import { PagedTable, queryPage, type PagedColumn } from '../../components/PagedTable';
import type { Holder } from '@shared/schemas/holders';
import { HolderPicker } from './HolderPicker';
import { IssueCertificateDialog } from './IssueCertificateDialog';
import { profiles, statusColor, statuses } from './labels';
import { certificatesTestIds } from './testIds';
import type { CertificateSummary } from './types';

const expiryChoices = [7, 14, 30, 60, 90] as const;

/** Issued certificates with status, profile, expiry and holder filters, soonest expiry first. */
export function CertificateList() {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [query, setQuery] = useState<Required<Pick<CertificateListArgs, 'query' | 'offset' | 'limit'>> & Omit<CertificateListArgs, 'query' | 'offset' | 'limit'>>({ query: '', offset: 0, limit: 25 });
  const [result, setResult] = useState<{ total: number; items: CertificateSummary[] } | null>(null);
  // Team mode: another station's certificates appear without a reload (issue 18 §4).
  const [generation, setGeneration] = useState(0);
  useLiveRefresh(() => setGeneration((g) => g + 1), { elsewhereOnly: true });
  const [issuing, setIssuing] = useState(false);
  const [holder, setHolder] = useState<Holder | null>(null);
  const statusId = useId();
  const profileId = useId();
  const expiryId = useId();

  useEffect(() => {
    const timer = setTimeout(() => setQuery((q) => (q.query === text ? q : { ...q, query: text, offset: 0 })), 250);
    return () => clearTimeout(timer);
  }, [text]);

  const listing = useCommand((args: typeof query) => unwrap(carddesk().certificates.list(args)));
  const list = listing.run;
  useEffect(() => {
    let current = true;
    void list(query).then((found) => {
      if (current && found !== undefined) setResult(found);
    });
    return () => {
      current = false;
    };
  }, [query, generation, list]);

  const date = (iso: string) => format.date(iso);
  const columns: PagedColumn<CertificateSummary>[] = [
    {
      key: 'serial',
      header: t('certificates.fields.serial'),
      cell: (certificate) => (
        <Link component={RouterLink} to={`/certificates/${certificate.serial}`} onClick={(e) => e.stopPropagation()} sx={{ fontFamily: 'monospace' }}>
          {certificate.serial.slice(0, 16)}…
        </Link>
      ),
    },
    { key: 'subject', header: t('certificates.fields.subject'), cell: (certificate) => certificate.subject },
    { key: 'holder', header: t('certificates.fields.holder'), cell: (certificate) => certificate.holderName ?? '—' },
    { key: 'profile', header: t('certificates.fields.profile'), cell: (certificate) => t(`certificates.profiles.${certificate.profile}`) },
    { key: 'status', header: t('certificates.fields.status'), cell: (certificate) => <Chip size="small" color={statusColor(certificate.status)} label={t(`certificates.statuses.${certificate.status}`)} /> },
    { key: 'notAfter', header: t('certificates.fields.notAfter'), cell: (certificate) => date(certificate.notAfter) },
  ];
  return (
    <Box data-testid={certificatesTestIds.list}>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
        <TextField type="search" label={t('certificates.search')} value={text} onChange={(e) => setText(e.target.value)} sx={{ minWidth: 260, flexGrow: 1 }} slotProps={{ htmlInput: { 'data-testid': certificatesTestIds.search } }} />
        <FormControl sx={{ minWidth: 150 }}>
          <InputLabel id={statusId}>{t('certificates.fields.status')}</InputLabel>
          <Select labelId={statusId} label={t('certificates.fields.status')} value={query.status ?? ''} data-testid={certificatesTestIds.statusFilter} onChange={(e) => setQuery((q) => ({ ...q, status: String(e.target.value) === '' ? undefined : (e.target.value), offset: 0 }))}>
            <MenuItem value="">{t('common.all')}</MenuItem>
            {statuses.map((status) => (
              <MenuItem key={status} value={status}>
                {t(`certificates.statuses.${status}`)}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl sx={{ minWidth: 170 }}>
          <InputLabel id={profileId}>{t('certificates.fields.profile')}</InputLabel>
          <Select labelId={profileId} label={t('certificates.fields.profile')} value={query.profile ?? ''} data-testid={certificatesTestIds.profileFilter} onChange={(e) => setQuery((q) => ({ ...q, profile: String(e.target.value) === '' ? undefined : (e.target.value), offset: 0 }))}>
            <MenuItem value="">{t('common.all')}</MenuItem>
            {profiles.map((profile) => (
              <MenuItem key={profile} value={profile}>
                {t(`certificates.profiles.${profile}`)}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl sx={{ minWidth: 190 }}>
          <InputLabel id={expiryId}>{t('certificates.expiring')}</InputLabel>
          <Select labelId={expiryId} label={t('certificates.expiring')} value={query.expiringWithinDays ?? ''} data-testid={certificatesTestIds.expiryFilter} onChange={(e) => setQuery((q) => ({ ...q, expiringWithinDays: String(e.target.value) === '' ? undefined : Number(e.target.value), offset: 0 }))}>
            <MenuItem value="">{t('common.all')}</MenuItem>
            {expiryChoices.map((days) => (
              <MenuItem key={days} value={days}>
                {t('certificates.withinDays', { count: days })}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <HolderPicker
          value={holder}
          onChange={(chosen) => {
            setHolder(chosen);
            setQuery((q) => ({ ...q, holderId: chosen?.id, offset: 0 }));
          }}
        />
        <Button variant="contained" onClick={() => setIssuing(true)} data-testid={certificatesTestIds.issue}>
          {t('certificates.issue.button')}
        </Button>
      </Box>
      <CommandError error={listing.error} sx={{ mb: 2 }} />
      <PagedTable
        label={t('certificates.tableLabel')}
        columns={columns}
        rows={result?.items ?? null}
        rowKey={(certificate) => certificate.serial}
        rowProps={(certificate) => ({
          hover: true,
          sx: { cursor: 'pointer' },
          onClick: () => void navigate(`/certificates/${certificate.serial}`),
          'data-testid': certificatesTestIds.row,
          'data-serial': certificate.serial,
          'data-status': certificate.status,
        })}
        page={queryPage(result?.total ?? 0, query, setQuery)}
        total={{ text: (count) => t('certificates.total', { count }), testId: certificatesTestIds.total }}
      />
      <IssueCertificateDialog
        open={issuing}
        holderId={null}
        onClose={() => setIssuing(false)}
        onIssued={(certificate) => {
          setIssuing(false);
          void navigate(`/certificates/${certificate.serial}`);
        }}
      />
    </Box>
  );
}
