import { useCallback, useEffect, useId, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  InputLabel,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { OtpImportReport, OtpToken, SecondFactorStatus } from '@shared/schemas/account-second-factor';
import type { Holder } from '@shared/schemas/holders';
import { carddesk, unwrap } from '../../../api/carddesk';
import { useCommand } from '../../../app/useCommand';
import { CommandError } from '../../../components/CommandError';
import { useVault } from '../../vault';

export const secondFactorTestIds = {
  panel: 'second-factor-panel',
  status: 'second-factor-status',
  remove: 'second-factor-remove',
  removeReason: 'second-factor-remove-reason',
  removeConfirm: 'second-factor-remove-confirm',
  assignSelect: 'second-factor-assign-select',
  assign: 'second-factor-assign',
  importOpen: 'second-factor-import-open',
  importFile: 'second-factor-import-file',
  importKey: 'second-factor-import-key',
  importRun: 'second-factor-import-run',
  importReport: 'second-factor-import-report',
  importClose: 'second-factor-import-close',
} as const;

/** Reads a chosen file as text (a PSKC file is XML). */
function readText(file: File): Promise<string> {
  return file.text();
}

/** Imports OATH token seeds from a PSKC file: the file, the vendor's key when it is encrypted, a line per key. */
function ImportTokensDialog({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const titleId = useId();
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [key, setKey] = useState('');
  const [report, setReport] = useState<OtpImportReport | null>(null);
  const keyInvalid = key.trim() !== '' && !/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/.test(key.trim());
  const importing = useCommand(async () => {
    if (file === null) return;
    const pskc = await readText(file);
    const result = await withUnlocked(() => unwrap(carddesk().account.importOtpTokens({ pskc, key: key.trim() === '' ? null : key.trim() })));
    setReport(result);
    setKey('');
    if (result.ok) onImported();
  });
  return (
    <Dialog open onClose={importing.busy ? undefined : onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <DialogTitle id={titleId}>{t('account.secondFactor.import.title')}</DialogTitle>
      <DialogContent sx={{ display: 'grid', gap: 2 }}>
        <Typography>{t('account.secondFactor.import.intro')}</Typography>
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
          <Button component="label" htmlFor={fileId} variant="outlined">
            {t('account.secondFactor.import.chooseFile')}
          </Button>
          <input id={fileId} type="file" accept=".pskc,.xml,application/xml,text/xml" hidden data-testid={secondFactorTestIds.importFile} onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
          <Typography>{file?.name ?? t('account.secondFactor.import.noFile')}</Typography>
        </Box>
        <TextField
          label={t('account.secondFactor.import.key')}
          helperText={keyInvalid ? t('account.secondFactor.import.keyInvalid') : t('account.secondFactor.import.keyHelp')}
          error={keyInvalid}
          value={key}
          onChange={(event) => setKey(event.target.value)}
          autoComplete="off"
          type="password"
          slotProps={{ htmlInput: { 'data-testid': secondFactorTestIds.importKey, spellCheck: false } }}
        />
        <CommandError error={importing.error} />
        {report === null ? null : (
          <Box data-testid={secondFactorTestIds.importReport} data-ok={String(report.ok)}>
            <Alert severity={report.ok ? 'success' : 'error'}>
              {report.ok
                ? t('account.secondFactor.import.done', { n: report.imported })
                : report.fileProblem !== null
                  ? t(`account.secondFactor.import.file.${report.fileProblem}`)
                  : t('account.secondFactor.import.noneImported')}
            </Alert>
            <List dense>
              {report.keys.map((entry, index) => (
                <ListItem key={`${entry.serial}-${index}`} data-outcome={entry.outcome}>
                  <ListItemText primary={entry.serial === '' ? t('account.secondFactor.import.noSerial') : entry.serial} secondary={t(`account.secondFactor.import.outcome.${entry.outcome}`)} />
                </ListItem>
              ))}
            </List>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={importing.busy} data-testid={secondFactorTestIds.importClose}>
          {t('common.close')}
        </Button>
        <Button variant="contained" disabled={file === null || keyInvalid || importing.busy} onClick={() => void importing.run()} data-testid={secondFactorTestIds.importRun}>
          {t('account.secondFactor.import.run')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Removes the holder's second factor with a reason (recorded). */
function RemoveDialog({ holder, onClose, onRemoved }: { holder: Holder; onClose: () => void; onRemoved: () => void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const [reason, setReason] = useState('');
  const removing = useCommand(async () => {
    await unwrap(carddesk().account.removeSecondFactor({ holderId: holder.id, reason: reason.trim() }));
    onRemoved();
  });
  return (
    <Dialog open onClose={removing.busy ? undefined : onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <DialogTitle id={titleId}>{t('account.secondFactor.removeTitle')}</DialogTitle>
      <DialogContent sx={{ display: 'grid', gap: 2, pt: 1 }}>
        <Typography>{t('account.secondFactor.removeBody')}</Typography>
        <TextField
          label={t('account.secondFactor.reason')}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          required
          autoFocus
          slotProps={{ htmlInput: { 'data-testid': secondFactorTestIds.removeReason, maxLength: 500 } }}
        />
        <CommandError error={removing.error} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={removing.busy}>
          {t('common.cancel')}
        </Button>
        <Button color="error" variant="contained" disabled={reason.trim().length < 3 || removing.busy} onClick={() => void removing.run()} data-testid={secondFactorTestIds.removeConfirm}>
          {t('account.secondFactor.remove')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * The holder's second factor at the desk: how they sign (authenticator app, or a hardware token
 * and its serial), removal with a reason, assigning an imported token, importing tokens from a
 * PSKC file. The app's secret never comes here: the holder enrols it at the kiosk.
 */
export function SecondFactorPanel({ holder }: { holder: Holder }) {
  const { t } = useTranslation();
  const selectId = useId();
  const [status, setStatus] = useState<SecondFactorStatus | null>(null);
  const [tokens, setTokens] = useState<OtpToken[]>([]);
  const [chosen, setChosen] = useState('');
  const [dialog, setDialog] = useState<'remove' | 'import' | null>(null);
  const loading = useCommand(async () => {
    const [current, all] = await Promise.all([unwrap(carddesk().account.secondFactor({ holderId: holder.id })), unwrap(carddesk().account.otpTokens())]);
    setStatus(current);
    setTokens(all);
  });
  const load = useCallback(() => void loading.run(), [loading]);
  useEffect(() => {
    void loading.run();
    // Loaded again when another holder's page opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [holder.id]);
  const assigning = useCommand(async () => {
    await unwrap(carddesk().account.assignOtpToken({ serial: chosen, holderId: holder.id }));
    setChosen('');
    load();
  });
  const free = tokens.filter((token) => token.holderId === null);

  return (
    <Box data-testid={secondFactorTestIds.panel} sx={{ display: 'grid', gap: 1.5 }}>
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>
        {t('account.secondFactor.title')}
      </Typography>
      <CommandError error={loading.error ?? assigning.error} />
      {status === null ? null : (
        <Typography data-testid={secondFactorTestIds.status} data-method={status.method} data-state={status.state}>
          {status.method === 'none'
            ? t('account.secondFactor.statusNone')
            : status.method === 'token'
              ? t('account.secondFactor.statusToken', { serial: status.tokenSerial ?? '' })
              : status.state === 'pending'
                ? t('account.secondFactor.statusPending')
                : t('account.secondFactor.statusApp')}
        </Typography>
      )}
      {status?.lockedUntil ? <Alert severity="warning">{t('account.secondFactor.lockedUntil', { time: new Date(status.lockedUntil).toLocaleTimeString() })}</Alert> : null}
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        {status !== null && status.method !== 'none' ? (
          <Button color="error" variant="outlined" onClick={() => setDialog('remove')} data-testid={secondFactorTestIds.remove}>
            {t('account.secondFactor.remove')}
          </Button>
        ) : null}
        {status !== null && status.state !== 'enrolled' ? (
          <>
            <FormControl size="small" sx={{ minWidth: 220 }} disabled={free.length === 0}>
              <InputLabel id={selectId}>{t('account.secondFactor.token')}</InputLabel>
              <Select labelId={selectId} label={t('account.secondFactor.token')} value={chosen} onChange={(event) => setChosen(event.target.value)} data-testid={secondFactorTestIds.assignSelect}>
                {free.map((token) => (
                  <MenuItem key={token.serial} value={token.serial}>
                    {token.serial}
                    {token.manufacturer === null ? '' : ` · ${token.manufacturer}`}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <Button variant="outlined" disabled={chosen === '' || assigning.busy} onClick={() => void assigning.run()} data-testid={secondFactorTestIds.assign}>
              {t('account.secondFactor.assign')}
            </Button>
          </>
        ) : null}
        <Button onClick={() => setDialog('import')} data-testid={secondFactorTestIds.importOpen}>
          {t('account.secondFactor.import.open')}
        </Button>
      </Box>
      {dialog === 'remove' ? (
        <RemoveDialog
          holder={holder}
          onClose={() => setDialog(null)}
          onRemoved={() => {
            setDialog(null);
            load();
          }}
        />
      ) : null}
      {dialog === 'import' ? <ImportTokensDialog onClose={() => setDialog(null)} onImported={load} /> : null}
    </Box>
  );
}
