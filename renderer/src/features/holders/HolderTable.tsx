import { useEffect, useId, useState, type ReactNode } from 'react';
import { Box, Button, FormControl, InputLabel, MenuItem, Select, TextField } from '@mui/material';
import AddIcon from '@mui/icons-material/PersonAdd';
import UploadIcon from '@mui/icons-material/UploadFile';
import DownloadIcon from '@mui/icons-material/Download';
import HelpOutlineIcon from '@mui/icons-material/ContactSupport';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Holder, HolderSearchArgs, HolderSearchResult, HolderSortField } from '@shared/schemas/holders';
import { carddesk, unwrap } from '../../api/carddesk';
import { saveDownload } from '../../api/download';
import { useLiveRefresh } from '../access-history';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { PagedTable, queryPage, type PagedColumn } from '../../components/PagedTable';
import { LostInfoDialog, deskLostInfoIds } from './account/LostInfoDialog';
import { CsvImportDialog } from './CsvImportDialog';
import { HolderDialog } from './HolderDialog';
import { holderLanguages, holderStates } from './holderFields';
import { usersTestIds } from './testIds';

type HolderColumnKey = 'userNumber' | 'personalNumber' | 'lastName' | 'firstName' | 'email' | 'organisation' | 'state' | 'documentExpiry';

function useHolderColumns(): PagedColumn<Holder, HolderSortField>[] {
  const { t } = useTranslation();
  const column = (key: HolderColumnKey, cell: (holder: Holder) => ReactNode): PagedColumn<Holder, HolderSortField> => ({ key, header: t(`users.fields.${key}`), sortField: key, cell });
  return [
    column('userNumber', (holder) => (
      <Box component="a" href={`#/users/${holder.id}`} onClick={(event) => event.stopPropagation()} sx={{ color: 'primary.main', fontFamily: 'monospace' }}>
        {holder.userNumber}
      </Box>
    )),
    column('personalNumber', (holder) => holder.personalNumber),
    column('lastName', (holder) => holder.lastName),
    column('firstName', (holder) => holder.firstName),
    column('email', (holder) => holder.email),
    column('organisation', (holder) => holder.organisation),
    column('state', (holder) => t(`users.states.${holder.state}`)),
    column('documentExpiry', (holder) => holder.documentExpiry),
  ];
}

/** Holders, searched, filtered, sorted and paged by the directory (server side: fast at 100,000). */
export function HolderTable() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [query, setQuery] = useState<Required<Pick<HolderSearchArgs, 'query' | 'sort' | 'direction' | 'offset' | 'limit'>> & Pick<HolderSearchArgs, 'state' | 'language'>>({
    query: '',
    sort: 'lastName',
    direction: 'asc',
    offset: 0,
    limit: 25,
  });
  const [result, setResult] = useState<HolderSearchResult | null>(null);
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [lostInfo, setLostInfo] = useState(false);
  const [generation, setGeneration] = useState(0);
  // Team mode: another station's holders appear without a reload (issue 18 §4).
  useLiveRefresh(() => setGeneration((g) => g + 1), { elsewhereOnly: true });
  const stateId = useId();
  const languageId = useId();

  // Ask the directory once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => setQuery((q) => (q.query === text ? q : { ...q, query: text, offset: 0 })), 250);
    return () => clearTimeout(timer);
  }, [text]);

  const search = useCommand((args: typeof query) => unwrap(carddesk().holders.search(args)));
  const exporting = useCommand(async () => saveDownload(await unwrap(carddesk().holders.exportCsv(query))));
  const searchRun = search.run;
  useEffect(() => {
    let current = true;
    void searchRun(query).then((found) => {
      if (current && found !== undefined) setResult(found);
    });
    return () => {
      current = false;
    };
  }, [query, generation, searchRun]);

  const columns = useHolderColumns();
  const sortBy = (field: HolderSortField): void =>
    setQuery((q) => ({ ...q, sort: field, direction: q.sort === field && q.direction === 'asc' ? 'desc' : 'asc', offset: 0 }));

  return (
    <Box>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
        <TextField
          type="search"
          label={t('users.search')}
          value={text}
          onChange={(event) => setText(event.target.value)}
          sx={{ minWidth: 280, flexGrow: 1 }}
          slotProps={{ htmlInput: { 'data-testid': usersTestIds.search } }}
        />
        <FormControl sx={{ minWidth: 160 }}>
          <InputLabel id={stateId}>{t('users.fields.state')}</InputLabel>
          <Select
            labelId={stateId}
            label={t('users.fields.state')}
            value={query.state ?? ''}
            data-testid={usersTestIds.stateFilter}
            onChange={(e) => setQuery((q) => ({ ...q, state: String(e.target.value) === '' ? undefined : (e.target.value), offset: 0 }))}
          >
            <MenuItem value="">{t('common.all')}</MenuItem>
            {holderStates.map((state) => (
              <MenuItem key={state} value={state}>
                {t(`users.states.${state}`)}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl sx={{ minWidth: 160 }}>
          <InputLabel id={languageId}>{t('users.fields.language')}</InputLabel>
          <Select
            labelId={languageId}
            label={t('users.fields.language')}
            value={query.language ?? ''}
            data-testid={usersTestIds.languageFilter}
            onChange={(e) => setQuery((q) => ({ ...q, language: String(e.target.value) === '' ? undefined : (e.target.value), offset: 0 }))}
          >
            <MenuItem value="">{t('common.all')}</MenuItem>
            {holderLanguages.map((language) => (
              <MenuItem key={language} value={language} lang={language}>
                {t(`language.${language}`)}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <Button variant="contained" startIcon={<AddIcon aria-hidden />} onClick={() => setAdding(true)} data-testid={usersTestIds.add}>
          {t('users.add')}
        </Button>
        <Button startIcon={<UploadIcon aria-hidden />} onClick={() => setImporting(true)} data-testid={usersTestIds.importCsv}>
          {t('users.import.button')}
        </Button>
        <Button startIcon={<HelpOutlineIcon aria-hidden />} onClick={() => setLostInfo(true)} data-testid={deskLostInfoIds.button}>
          {t('users.lostInfo.button')}
        </Button>
        <Button
          startIcon={<DownloadIcon aria-hidden />}
          data-testid={usersTestIds.exportCsv}
          onClick={() => void exporting.run()}
        >
          {t('users.export')}
        </Button>
      </Box>
      <CommandError error={exporting.error ?? search.error} sx={{ mb: 2 }} />
      <PagedTable
        label={t('users.tableLabel')}
        testId={usersTestIds.table}
        columns={columns}
        rows={result?.items ?? null}
        rowKey={(holder) => holder.id}
        rowProps={(holder) => ({ hover: true, sx: { cursor: 'pointer' }, onClick: () => void navigate(`/users/${holder.id}`), 'data-testid': usersTestIds.row, 'data-holder-id': holder.id })}
        sort={{ field: query.sort, direction: query.direction, onSort: sortBy, testId: usersTestIds.sort }}
        page={queryPage(result?.total ?? 0, query, setQuery)}
        total={{ text: (count) => t('users.total', { count }), testId: usersTestIds.total }}
      />
      {adding ? (
        <HolderDialog
          holder={null}
          onClose={() => setAdding(false)}
          onSaved={(holder) => {
            setAdding(false);
            void navigate(`/users/${holder.id}`);
          }}
        />
      ) : null}
      <CsvImportDialog open={importing} onClose={() => setImporting(false)} onImported={() => setGeneration((g) => g + 1)} />
      <LostInfoDialog open={lostInfo} onClose={() => setLostInfo(false)} />
    </Box>
  );
}
