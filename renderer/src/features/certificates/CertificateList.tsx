import { useEffect, useId, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  FormControl,
  InputLabel,
  Link,
  MenuItem,
  Paper,
  Select,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TablePagination,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { Link as RouterLink, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { CertificateListArgs } from '@shared/schemas/certificates';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
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
  const [failure, setFailure] = useState<string | null>(null);
  const [issuing, setIssuing] = useState(false);
  const [holder, setHolder] = useState<Holder | null>(null);
  const statusId = useId();
  const profileId = useId();
  const expiryId = useId();

  useEffect(() => {
    const timer = setTimeout(() => setQuery((q) => (q.query === text ? q : { ...q, query: text, offset: 0 })), 250);
    return () => clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    let current = true;
    unwrap(carddesk().certificates.list(query))
      .then((list) => {
        if (!current) return;
        setResult(list);
        setFailure(null);
      })
      .catch((error: unknown) => current && setFailure(t(`errors.${errorCodeOf(error)}`)));
    return () => {
      current = false;
    };
  }, [query, t]);

  const date = (iso: string) => format.date(iso);
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
      {failure !== null ? (
        <Alert severity="error" sx={{ mb: 2 }}>
          {failure}
        </Alert>
      ) : null}
      <Typography role="status" color="text.secondary" sx={{ mb: 1 }} data-testid={certificatesTestIds.total} data-total={result?.total ?? 0}>
        {result === null ? t('common.loading') : t('certificates.total', { count: result.total })}
      </Typography>
      <Paper variant="outlined">
        <TableContainer>
          <Table size="small" aria-label={t('certificates.tableLabel')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('certificates.fields.serial')}</TableCell>
                <TableCell>{t('certificates.fields.subject')}</TableCell>
                <TableCell>{t('certificates.fields.holder')}</TableCell>
                <TableCell>{t('certificates.fields.profile')}</TableCell>
                <TableCell>{t('certificates.fields.status')}</TableCell>
                <TableCell>{t('certificates.fields.notAfter')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {(result?.items ?? []).map((certificate) => (
                <TableRow key={certificate.serial} hover sx={{ cursor: 'pointer' }} data-testid={certificatesTestIds.row} data-serial={certificate.serial} data-status={certificate.status} onClick={() => void navigate(`/certificates/${certificate.serial}`)}>
                  <TableCell>
                    <Link component={RouterLink} to={`/certificates/${certificate.serial}`} onClick={(e) => e.stopPropagation()} sx={{ fontFamily: 'monospace' }}>
                      {certificate.serial.slice(0, 16)}…
                    </Link>
                  </TableCell>
                  <TableCell>{certificate.subject}</TableCell>
                  <TableCell>{certificate.holderName ?? '—'}</TableCell>
                  <TableCell>{t(`certificates.profiles.${certificate.profile}`)}</TableCell>
                  <TableCell>
                    <Chip size="small" color={statusColor(certificate.status)} label={t(`certificates.statuses.${certificate.status}`)} />
                  </TableCell>
                  <TableCell>{date(certificate.notAfter)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
        <TablePagination
          component="div"
          count={result?.total ?? 0}
          page={Math.floor(query.offset / query.limit)}
          rowsPerPage={query.limit}
          rowsPerPageOptions={[10, 25, 50, 100]}
          onPageChange={(_e, page) => setQuery((q) => ({ ...q, offset: page * q.limit }))}
          onRowsPerPageChange={(e) => setQuery((q) => ({ ...q, limit: Number(e.target.value), offset: 0 }))}
          labelRowsPerPage={t('common.rowsPerPage')}
          labelDisplayedRows={({ from, to, count }) => t('common.displayedRows', { from, to, count })}
          getItemAriaLabel={(type) => t(`common.page.${type}`)}
        />
      </Paper>
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
