import { useEffect, useId, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  FormControl,
  InputLabel,
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
  TableSortLabel,
  TextField,
  Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/PersonAdd';
import UploadIcon from '@mui/icons-material/UploadFile';
import DownloadIcon from '@mui/icons-material/Download';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { HolderSearchArgs, HolderSearchResult, HolderSortField } from '@shared/schemas/holders';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { saveDownload } from '../../api/download';
import { visuallyHidden } from '../../components/visuallyHidden';
import { CsvImportDialog } from './CsvImportDialog';
import { HolderDialog } from './HolderDialog';
import { holderLanguages, holderStates } from './holderFields';
import { usersTestIds } from './testIds';

const columns: { field: HolderSortField; key: 'userNumber' | 'personalNumber' | 'lastName' | 'firstName' | 'email' | 'organisation' | 'state' | 'documentExpiry' }[] = [
  { field: 'userNumber', key: 'userNumber' },
  { field: 'personalNumber', key: 'personalNumber' },
  { field: 'lastName', key: 'lastName' },
  { field: 'firstName', key: 'firstName' },
  { field: 'email', key: 'email' },
  { field: 'organisation', key: 'organisation' },
  { field: 'state', key: 'state' },
  { field: 'documentExpiry', key: 'documentExpiry' },
];

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
  const [failure, setFailure] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [generation, setGeneration] = useState(0);
  const stateId = useId();
  const languageId = useId();

  // Ask the directory once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => setQuery((q) => (q.query === text ? q : { ...q, query: text, offset: 0 })), 250);
    return () => clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    let current = true;
    unwrap(carddesk().holders.search(query))
      .then((found) => {
        if (current) {
          setResult(found);
          setFailure(null);
        }
      })
      .catch((error: unknown) => current && setFailure(t(`errors.${errorCodeOf(error)}`)));
    return () => {
      current = false;
    };
  }, [query, generation, t]);

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
        <Button
          startIcon={<DownloadIcon aria-hidden />}
          data-testid={usersTestIds.exportCsv}
          onClick={() => void unwrap(carddesk().holders.exportCsv(query)).then(saveDownload).catch((error: unknown) => setFailure(t(`errors.${errorCodeOf(error)}`)))}
        >
          {t('users.export')}
        </Button>
      </Box>
      {failure !== null ? (
        <Alert severity="error" sx={{ mb: 2 }}>
          {failure}
        </Alert>
      ) : null}
      <Typography role="status" sx={{ mb: 1 }} color="text.secondary" data-testid={usersTestIds.total} data-total={result?.total ?? 0}>
        {result === null ? t('common.loading') : t('users.total', { count: result.total })}
      </Typography>
      <Paper variant="outlined">
        <TableContainer>
          <Table size="small" aria-label={t('users.tableLabel')} data-testid={usersTestIds.table}>
            <TableHead>
              <TableRow>
                {columns.map((column) => (
                  <TableCell key={column.field} sortDirection={query.sort === column.field ? query.direction : false}>
                    <TableSortLabel
                      active={query.sort === column.field}
                      direction={query.sort === column.field ? query.direction : 'asc'}
                      onClick={() => sortBy(column.field)}
                      data-testid={usersTestIds.sort(column.field)}
                    >
                      {t(`users.fields.${column.key}`)}
                      {query.sort === column.field ? (
                        <Box component="span" sx={visuallyHidden}>
                          {query.direction === 'desc' ? t('common.sortedDescending') : t('common.sortedAscending')}
                        </Box>
                      ) : null}
                    </TableSortLabel>
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {(result?.items ?? []).map((holder) => (
                <TableRow
                  key={holder.id}
                  hover
                  data-testid={usersTestIds.row}
                  data-holder-id={holder.id}
                  sx={{ cursor: 'pointer' }}
                  onClick={() => void navigate(`/users/${holder.id}`)}
                >
                  <TableCell>
                    <Box
                      component="a"
                      href={`#/users/${holder.id}`}
                      onClick={(event) => event.stopPropagation()}
                      sx={{ color: 'primary.main', fontFamily: 'monospace' }}
                    >
                      {holder.userNumber}
                    </Box>
                  </TableCell>
                  <TableCell>{holder.personalNumber}</TableCell>
                  <TableCell>{holder.lastName}</TableCell>
                  <TableCell>{holder.firstName}</TableCell>
                  <TableCell>{holder.email}</TableCell>
                  <TableCell>{holder.organisation}</TableCell>
                  <TableCell>{t(`users.states.${holder.state}`)}</TableCell>
                  <TableCell>{holder.documentExpiry}</TableCell>
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
          onPageChange={(_event, page) => setQuery((q) => ({ ...q, offset: page * q.limit }))}
          onRowsPerPageChange={(event) => setQuery((q) => ({ ...q, limit: Number(event.target.value), offset: 0 }))}
          labelRowsPerPage={t('common.rowsPerPage')}
          labelDisplayedRows={({ from, to, count }) => t('common.displayedRows', { from, to, count })}
          getItemAriaLabel={(type) => t(`common.page.${type}`)}
        />
      </Paper>
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
    </Box>
  );
}
