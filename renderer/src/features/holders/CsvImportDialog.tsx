import { useId, useState } from 'react';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { CsvImportResult } from '@shared/schemas/holders';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { readFileText } from '../../api/download';
import { usersTestIds } from './testIds';

/** Imports a CSV file: all rows or none, with one line of the report per bad row. */
export function CsvImportDialog({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: () => void }) {
  const { t } = useTranslation();
  const [result, setResult] = useState<CsvImportResult | null>(null);
  const importCsv = useCommand(async (file: File) => {
    const outcome = await unwrap(carddesk().holders.importCsv({ csv: await readFileText(file) }));
    setResult(outcome);
    if (outcome.ok) onImported();
  });
  const titleId = useId();
  const inputId = useId();

  const choose = (file: File | undefined): void => {
    if (file === undefined) return;
    setResult(null);
    void importCsv.run(file);
  };

  const close = (): void => {
    setResult(null);
    importCsv.reset();
    onClose();
  };

  return (
    <Dialog open={open} onClose={close} aria-labelledby={titleId} maxWidth="md" fullWidth>
      <DialogTitle id={titleId}>{t('users.import.title')}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>{t('users.import.body')}</DialogContentText>
        <DialogContentText sx={{ mb: 2 }}>{t('users.import.addressColumns')}</DialogContentText>
        <Button variant="outlined" component="label" htmlFor={inputId} disabled={importCsv.busy}>
          {t('users.import.choose')}
          <input id={inputId} type="file" accept=".csv,text/csv" hidden data-testid={usersTestIds.importFile} onChange={(event) => choose(event.target.files?.[0])} />
        </Button>
        <CommandError error={importCsv.error} sx={{ mt: 2 }} />
        {result?.ok === true ? (
          <Alert severity="success" sx={{ mt: 2 }} data-testid={usersTestIds.importResult} data-imported={result.imported}>
            {t('users.import.done', { count: result.imported })}
          </Alert>
        ) : null}
        {result?.ok === false ? (
          <>
            <Alert severity="error" sx={{ mt: 2 }} data-testid={usersTestIds.importResult} data-imported={0}>
              {t('users.import.nothing', { bad: result.badRows.length, rows: result.rows })}
            </Alert>
            {result.fileProblems.map((problem) => (
              <Alert key={`${problem.code}-${problem.column}`} severity="warning" sx={{ mt: 1 }}>
                {t(`users.import.file.${problem.code}`, { column: problem.column, line: problem.line ?? '' })}
              </Alert>
            ))}
            {result.badRows.length > 0 ? (
              <Table size="small" sx={{ mt: 2 }} aria-label={t('users.import.report')} data-testid={usersTestIds.importReport}>
                <TableHead>
                  <TableRow>
                    <TableCell>{t('users.import.line')}</TableCell>
                    <TableCell>{t('users.fields.personalNumber')}</TableCell>
                    <TableCell>{t('users.import.problems')}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {result.badRows.map((row) => (
                    <TableRow key={row.line} data-testid={usersTestIds.importBadRow} data-line={row.line}>
                      <TableCell>{row.line}</TableCell>
                      <TableCell>{row.personalNumber}</TableCell>
                      <TableCell>{row.problems.map((p) => `${t(`users.fields.${p.field}`)}: ${t(`users.problems.${p.code}`)}`).join('; ')}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : null}
          </>
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>{t('common.close')}</Button>
      </DialogActions>
    </Dialog>
  );
}
