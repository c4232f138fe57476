import { useId, useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  ButtonGroup,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { CertificateActionResult, CertificateFormat } from '@shared/schemas/certificates';
import { carddesk, unwrap } from '../../api/carddesk';
import { saveDownload } from '../../api/download';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { useVault } from '../vault';
import { afterHoldChoices, reasons } from './labels';
import { certificatesTestIds } from './testIds';
import type { AfterHold, CertificateDetail, RevocationReason } from './types';

type Action = 'revoke' | 'suspend' | 'resume' | 'renew';

const formats: readonly CertificateFormat[] = ['pem', 'der', 'p7b'];

/** Revoke, suspend, resume, renew and download, each confirmed in a dialog; refusals are shown, not thrown. */
export function CertificateActions({ certificate, onChanged, onRenewed }: { certificate: CertificateDetail; onChanged: () => void; onRenewed: (serial: string) => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [action, setAction] = useState<Action | null>(null);
  const [reason, setReason] = useState<RevocationReason>('unspecified');
  const [days, setDays] = useState('30');
  const [afterHold, setAfterHold] = useState<AfterHold>('release');
  const [request, setRequest] = useState('');
  // What became of the last action (done, or refused); a failed call is a command's error.
  const [message, setMessage] = useState<{ severity: 'success' | 'warning'; text: string } | null>(null);
  const titleId = useId();
  const reasonId = useId();
  const afterId = useId();
  const { serial, status } = certificate;
  const live = status === 'valid' || status === 'suspended';

  const outcome = (result: CertificateActionResult): void => {
    if (result.ok) {
      setMessage({ severity: 'success', text: t(`certificates.done.${action ?? 'revoke'}`) });
      onChanged();
    } else setMessage({ severity: 'warning', text: t(`certificates.refused.${result.reason}`) });
  };

  const acting = useCommand(async (chosen: Action) => {
    const api = carddesk().certificates;
    const run = (): Promise<void> => {
      switch (chosen) {
        case 'revoke':
          return unwrap(api.revoke({ serial, reason })).then(outcome);
        case 'suspend':
          return unwrap(api.suspend({ serial, days: Number(days), afterHold })).then(outcome);
        case 'resume':
          return unwrap(api.resume({ serial })).then(outcome);
        case 'renew':
          return unwrap(api.renew({ serial, request: request.trim() === '' ? null : request })).then((renewed) => onRenewed(renewed.serial));
      }
    };
    await withUnlocked(run);
    setAction(null);
  });
  const downloading = useCommand(async (format: CertificateFormat) => saveDownload(await unwrap(carddesk().certificates.download({ serial, format }))));
  const busy = acting.busy;

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (action === null) return;
    downloading.reset();
    void acting.run(action);
  };

  const download = (format: CertificateFormat): void => {
    setMessage(null);
    acting.reset();
    void downloading.run(format);
  };

  return (
    <Box sx={{ mb: 3 }}>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
        <Button variant="outlined" color="error" disabled={!live} onClick={() => setAction('revoke')} data-testid={certificatesTestIds.revoke}>
          {t('certificates.actions.revoke')}
        </Button>
        <Button variant="outlined" disabled={status !== 'valid'} onClick={() => setAction('suspend')} data-testid={certificatesTestIds.suspend}>
          {t('certificates.actions.suspend')}
        </Button>
        <Button variant="outlined" disabled={status !== 'suspended'} onClick={() => setAction('resume')} data-testid={certificatesTestIds.resume}>
          {t('certificates.actions.resume')}
        </Button>
        <Button variant="outlined" disabled={status === 'revoked' || certificate.renewedBy !== null} onClick={() => setAction('renew')} data-testid={certificatesTestIds.renew}>
          {t('certificates.actions.renew')}
        </Button>
        <Typography component="span" color="text.secondary" sx={{ ml: 1 }}>
          {t('certificates.actions.download')}
        </Typography>
        <ButtonGroup variant="text" aria-label={t('certificates.actions.download')}>
          {formats.map((format) => (
            <Button key={format} onClick={() => download(format)} data-testid={certificatesTestIds.download(format)}>
              {t(`certificates.formats.${format}`)}
            </Button>
          ))}
        </ButtonGroup>
      </Box>
      {message !== null ? (
        <Alert severity={message.severity} sx={{ mt: 2 }} onClose={() => setMessage(null)} data-testid={certificatesTestIds.actionResult}>
          {message.text}
        </Alert>
      ) : null}
      <CommandError
        error={acting.error ?? downloading.error}
        sx={{ mt: 2 }}
        testId={certificatesTestIds.actionResult}
        onClose={() => {
          acting.reset();
          downloading.reset();
        }}
      />
      <Dialog open={action !== null} onClose={() => setAction(null)} aria-labelledby={titleId} maxWidth="sm" fullWidth>
        <form onSubmit={submit}>
          <DialogTitle id={titleId}>{action === null ? '' : t(`certificates.confirm.${action}Title`)}</DialogTitle>
          <DialogContent>
            <DialogContentText sx={{ mb: 2 }}>{action === null ? '' : t(`certificates.confirm.${action}Body`, { subject: certificate.subject })}</DialogContentText>
            {action === 'revoke' ? (
              <FormControl fullWidth>
                <InputLabel id={reasonId}>{t('certificates.fields.reason')}</InputLabel>
                <Select labelId={reasonId} label={t('certificates.fields.reason')} value={reason} onChange={(e) => setReason(e.target.value)} data-testid={certificatesTestIds.revokeReason}>
                  {reasons.map((r) => (
                    <MenuItem key={r} value={r}>
                      {t(`certificates.reasons.${r}`)}
                    </MenuItem>
                  ))}
                </Select>
              </FormControl>
            ) : null}
            {action === 'suspend' ? (
              <Box sx={{ display: 'grid', gap: 2, pt: 1 }}>
                <TextField type="number" label={t('certificates.suspendDays')} value={days} onChange={(e) => setDays(e.target.value)} helperText={t('certificates.suspendDaysHint')} slotProps={{ htmlInput: { min: 1, max: 30, 'data-testid': certificatesTestIds.suspendDays } }} />
                <FormControl>
                  <InputLabel id={afterId}>{t('certificates.afterHold')}</InputLabel>
                  <Select labelId={afterId} label={t('certificates.afterHold')} value={afterHold} onChange={(e) => setAfterHold(e.target.value)} data-testid={certificatesTestIds.afterHold}>
                    {afterHoldChoices.map((choice) => (
                      <MenuItem key={choice} value={choice}>
                        {t(`certificates.afterHoldChoices.${choice}`)}
                      </MenuItem>
                    ))}
                  </Select>
                </FormControl>
              </Box>
            ) : null}
            {action === 'renew' ? (
              <TextField label={t('certificates.renewRequest')} value={request} onChange={(e) => setRequest(e.target.value)} multiline minRows={4} fullWidth helperText={t('certificates.renewRequestHint')} slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'monospace' } } }} />
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setAction(null)}>{t('common.cancel')}</Button>
            <Button type="submit" variant="contained" color={action === 'revoke' ? 'error' : 'primary'} disabled={busy} data-testid={certificatesTestIds.confirm}>
              {action === null ? '' : t(`certificates.actions.${action}`)}
            </Button>
          </DialogActions>
        </form>
      </Dialog>
    </Box>
  );
}
