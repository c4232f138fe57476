import { useEffect, useId, useState } from 'react';
import { Box, Chip, FormControl, InputLabel, Link, MenuItem, Select, TextField, Typography } from '@mui/material';
import { Link as RouterLink, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ContractSummary } from '@shared/schemas/contracts';
import { holderLanguages } from '@shared/enums';
import { useFormat } from '../../i18n/format';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { PagedTable, queryPage, type PagedColumn } from '../../components/PagedTable';
import { contractStatusColor, contractStatuses } from './labels';
import { contractsTestIds } from './testIds';

interface Query {
  query: string;
  holderId?: string | undefined;
  status?: ContractSummary['status'] | undefined;
  language?: ContractSummary['language'] | undefined;
  offset: number;
  limit: number;
}

/** Contracts with search and filters; `holderId` narrows the list to one holder (the holder's page). */
export function ContractList({ holderId, compact = false }: { holderId?: string; compact?: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [query, setQuery] = useState<Query>({ query: '', holderId, offset: 0, limit: compact ? 10 : 25 });
  const [result, setResult] = useState<{ total: number; items: ContractSummary[] } | null>(null);
  const statusId = useId();
  const languageId = useId();

  useEffect(() => {
    const timer = setTimeout(() => setQuery((q) => (q.query === text ? q : { ...q, query: text, offset: 0 })), 250);
    return () => clearTimeout(timer);
  }, [text]);

  const listing = useCommand((args: Query) => unwrap(carddesk().contracts.list(args)));
  const list = listing.run;
  useEffect(() => {
    let current = true;
    void list(query).then((found) => {
      if (current && found !== undefined) setResult(found);
    });
    return () => {
      current = false;
    };
  }, [query, list]);

  const columns: PagedColumn<ContractSummary>[] = [
    {
      key: 'holder',
      header: t('contracts.fields.holder'),
      cell: (contract) => (
        <Link component={RouterLink} to={`/contracts/${contract.id}`} onClick={(e) => e.stopPropagation()}>
          {contract.holderName}
        </Link>
      ),
    },
    { key: 'card', header: t('contracts.fields.card'), cell: (contract) => <Box component="span" sx={{ fontFamily: 'monospace' }}>{contract.cardSerial}</Box> },
    { key: 'kind', header: t('contracts.fields.kind'), cell: (contract) => t(`contracts.kinds.${contract.kind}`) },
    { key: 'language', header: t('contracts.fields.language'), cell: (contract) => t(`language.${contract.language}`) },
    { key: 'generated', header: t('contracts.fields.generated'), cell: (contract) => format.dateTime(contract.generatedAt) },
    { key: 'signed', header: t('contracts.fields.signed'), cell: (contract) => (contract.signedAt === null ? '—' : format.dateTime(contract.signedAt)) },
    { key: 'status', header: t('contracts.fields.status'), cell: (contract) => <Chip size="small" color={contractStatusColor(contract.status)} label={t(`contracts.statuses.${contract.status}`)} /> },
  ];
  return (
    <Box data-testid={contractsTestIds.list}>
      {!compact && (
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
          <TextField type="search" label={t('contracts.search')} value={text} onChange={(e) => setText(e.target.value)} sx={{ minWidth: 260, flexGrow: 1 }} slotProps={{ htmlInput: { 'data-testid': contractsTestIds.search } }} />
          <FormControl sx={{ minWidth: 190 }}>
            <InputLabel id={statusId}>{t('contracts.fields.status')}</InputLabel>
            <Select labelId={statusId} label={t('contracts.fields.status')} value={query.status ?? ''} data-testid={contractsTestIds.statusFilter} onChange={(e) => setQuery((q) => ({ ...q, status: String(e.target.value) === '' ? undefined : e.target.value, offset: 0 }))}>
              <MenuItem value="">{t('common.all')}</MenuItem>
              {contractStatuses.map((status) => (
                <MenuItem key={status} value={status}>
                  {t(`contracts.statuses.${status}`)}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <FormControl sx={{ minWidth: 150 }}>
            <InputLabel id={languageId}>{t('contracts.fields.language')}</InputLabel>
            <Select labelId={languageId} label={t('contracts.fields.language')} value={query.language ?? ''} data-testid={contractsTestIds.languageFilter} onChange={(e) => setQuery((q) => ({ ...q, language: String(e.target.value) === '' ? undefined : e.target.value, offset: 0 }))}>
              <MenuItem value="">{t('common.all')}</MenuItem>
              {holderLanguages.map((language) => (
                <MenuItem key={language} value={language}>
                  {t(`language.${language}`)}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        </Box>
      )}
      <CommandError error={listing.error} sx={{ mb: 2 }} />
      <PagedTable
        label={t('contracts.tableLabel')}
        columns={columns}
        rows={result?.items ?? null}
        rowKey={(contract) => contract.id}
        rowProps={(contract) => ({
          hover: true,
          sx: { cursor: 'pointer' },
          onClick: () => void navigate(`/contracts/${contract.id}`),
          'data-testid': contractsTestIds.row,
          'data-id': contract.id,
          'data-status': contract.status,
        })}
        page={queryPage(result?.total ?? 0, query, setQuery)}
        total={{ text: (count) => t('contracts.total', { count }), testId: contractsTestIds.total }}
        empty={
          <Typography color="text.secondary" data-testid={contractsTestIds.empty}>
            {query.query !== '' || query.status !== undefined || query.language !== undefined ? t('contracts.empty.noMatch') : holderId !== undefined ? t('contracts.empty.holder') : t('contracts.empty.none')}
          </Typography>
        }
      />
    </Box>
  );
}
