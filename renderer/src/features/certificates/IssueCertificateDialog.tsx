import { useId, useState, type FormEvent } from 'react';
import { Box, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, FormControl, InputLabel, MenuItem, Select, TextField } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { readFileText } from '../../api/download';
import { useVault } from '../vault';
import { profiles } from './labels';
import { certificatesTestIds } from './testIds';
import type { SubjectAltName } from '@shared/schemas/certificates';
import type { CertificateProfile, CertificateSummary } from './types';

const sanTypes: readonly SubjectAltName['type'][] = ['email', 'upn', 'dns', 'uri', 'ip'];

/** "type:value" lines (email:ada@example.org); the services check each value, unknown types are sent as given and refused there. */
function parseSans(text: string): SubjectAltName[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const at = line.indexOf(':');
      const type = line.slice(0, at).trim().toLowerCase();
      return { type: (sanTypes.find((known) => known === type) ?? 'email'), value: line.slice(at + 1).trim() };
    });
}

/** Issue from a PKCS#10 request or a public key (PEM): pasted or from a file. */
export function IssueCertificateDialog({
  open,
  holderId,
  onClose,
  onIssued,
}: {
  open: boolean;
  holderId: string | null;
  onClose: () => void;
  onIssued: (certificate: CertificateSummary) => void;
}) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [profile, setProfile] = useState<CertificateProfile>(holderId === null ? 'operator' : 'authentication');
  const [request, setRequest] = useState('');
  const [subject, setSubject] = useState('');
  const [days, setDays] = useState('');
  const [sans, setSans] = useState('');
  const issue = useCommand(async () => {
    const issued = await withUnlocked(() =>
      unwrap(
        carddesk().certificates.issue({
          profile,
          request,
          holderId,
          subject,
          ...(days.trim() === '' ? {} : { validityDays: Number(days) }),
          ...(sans.trim() === '' ? {} : { subjectAltNames: parseSans(sans) }),
        }),
      ),
    );
    setRequest('');
    setSubject('');
    onIssued(issued);
  });
  const busy = issue.busy;
  const titleId = useId();
  const profileId = useId();
  const fileId = useId();

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void issue.run();
  };

  return (
    <Dialog open={open} onClose={onClose} aria-labelledby={titleId} maxWidth="md" fullWidth data-testid={certificatesTestIds.issueDialog}>
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{t('certificates.issue.title')}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>{holderId === null ? t('certificates.issue.bodyNoHolder') : t('certificates.issue.body')}</DialogContentText>
          <CommandError error={issue.error} sx={{ mb: 2 }} testId={certificatesTestIds.issueError} />
          <Box sx={{ display: 'grid', gap: 2, pt: 1 }}>
            <FormControl>
              <InputLabel id={profileId}>{t('certificates.fields.profile')}</InputLabel>
              <Select labelId={profileId} label={t('certificates.fields.profile')} value={profile} onChange={(e) => setProfile(e.target.value)} data-testid={certificatesTestIds.issueProfile}>
                {profiles.map((p) => (
                  <MenuItem key={p} value={p}>
                    {t(`certificates.profiles.${p}`)}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <TextField
              label={t('certificates.issue.request')}
              value={request}
              onChange={(e) => setRequest(e.target.value)}
              multiline
              minRows={6}
              required
              helperText={t('certificates.issue.requestHint')}
              slotProps={{ htmlInput: { 'data-testid': certificatesTestIds.issueRequest, spellCheck: false, style: { fontFamily: 'monospace' } } }}
            />
            <Box>
              <Button variant="outlined" component="label" htmlFor={fileId}>
                {t('certificates.issue.fromFile')}
                <input id={fileId} type="file" accept=".csr,.pem,.req,.pub" hidden onChange={(e) => void (e.target.files?.[0] === undefined ? undefined : readFileText(e.target.files[0]).then(setRequest))} />
              </Button>
            </Box>
            <TextField
              label={t('certificates.issue.subject')}
              value={subject}
              onChange={(e) => setSubject(e.target.value)}
              helperText={holderId === null ? t('certificates.issue.subjectHintNoHolder') : t('certificates.issue.subjectHint')}
              slotProps={{ htmlInput: { 'data-testid': certificatesTestIds.issueSubject } }}
            />
            <TextField
              label={t('certificates.issue.sans')}
              value={sans}
              onChange={(e) => setSans(e.target.value)}
              multiline
              minRows={2}
              helperText={holderId === null ? t('certificates.issue.sansHintNoHolder') : t('certificates.issue.sansHint')}
              slotProps={{ htmlInput: { 'data-testid': certificatesTestIds.issueSans, spellCheck: false } }}
            />
            <TextField
              label={t('certificates.issue.days')}
              type="number"
              value={days}
              onChange={(e) => setDays(e.target.value)}
              helperText={t('certificates.issue.daysHint')}
              slotProps={{ htmlInput: { min: 1, max: 3650, 'data-testid': certificatesTestIds.issueDays } }}
            />
          </Box>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={busy || request.trim() === ''} data-testid={certificatesTestIds.issueSubmit}>
            {t('certificates.issue.submit')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
