import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  ButtonGroup,
  FormControlLabel,
  Paper,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { CaStatus } from '@shared/schemas/ca';
import type { CertificateFormat } from '@shared/schemas/certificates';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { saveDownload } from '../../api/download';
import { useVault } from '../vault';
import { CaWizard } from './CaWizard';
import { PublishedAddresses } from './PublishedAddresses';
import { certificatesTestIds } from './testIds';

/** The CA itself: its certificates, the last and next CRL, the OCSP responder; the wizard when there is none. */
export function CaPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { withUnlocked } = useVault();
  const [status, setStatus] = useState<CaStatus | null>(null);
  const [wizard, setWizard] = useState(false);
  const [port, setPort] = useState('2560');
  // What the last action did; a failed call is a command's error.
  const [notice, setNotice] = useState<string | null>(null);

  const loading = useCommand(async () => setStatus(await unwrap(carddesk().ca.status())));
  const loadStatus = loading.run;
  const load = useCallback(() => void loadStatus(), [loadStatus]);
  useEffect(load, [load]);

  const acting = useCommand((work: () => Promise<void>) => work());
  const act = (work: () => Promise<void>): void => {
    setNotice(null);
    loading.reset();
    void acting.run(work);
  };
  const when = (iso: string) => format.dateTime(iso);

  if (status === null) return <Typography role="status">{t('common.loading')}</Typography>;
  return (
    <Box data-testid={certificatesTestIds.caPage} data-ready={status.ready}>
      {notice !== null ? (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      ) : null}
      <CommandError
        error={acting.error ?? loading.error}
        sx={{ mb: 2 }}
        onClose={() => {
          acting.reset();
          loading.reset();
        }}
      />
      {!status.ready ? (
        <Alert
          severity="info"
          data-testid={certificatesTestIds.noCa}
          action={
            <Button color="inherit" onClick={() => setWizard(true)} data-testid={certificatesTestIds.startWizard}>
              {t('certificates.wizard.start')}
            </Button>
          }
        >
          <AlertTitle>{t('certificates.ca.noneTitle')}</AlertTitle>
          {t('certificates.ca.noneBody')}
        </Alert>
      ) : (
        <>
          <Paper variant="outlined" sx={{ p: 3, mb: 3 }}>
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 1, flexWrap: 'wrap' }}>
              <Typography variant="h6" component="h2">
                {t('certificates.ca.certificates')}
              </Typography>
              <ButtonGroup size="small" variant="text" aria-label={t('certificates.ca.download')}>
                {(['pem', 'p7b'] as const satisfies readonly CertificateFormat[]).map((format) => (
                  <Button key={format} data-testid={certificatesTestIds.caDownload(format)} onClick={() => act(async () => saveDownload(await unwrap(carddesk().ca.downloadCertificates({ format }))))}>
                    {t(`certificates.formats.${format}`)}
                  </Button>
                ))}
              </ButtonGroup>
            </Box>
            <Typography color="text.secondary" sx={{ mb: 1 }}>
              {t(`certificates.ca.source.${status.source}`)} · {t(`certificates.ca.keyStorage.${status.keyStorage}`)}
            </Typography>
            <Table size="small" aria-label={t('certificates.ca.certificates')}>
              <TableHead>
                <TableRow>
                  <TableCell>{t('certificates.ca.role')}</TableCell>
                  <TableCell>{t('certificates.fields.subject')}</TableCell>
                  <TableCell>{t('certificates.fields.publicKey')}</TableCell>
                  <TableCell>{t('certificates.fields.notAfter')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {status.certificates.map((certificate) => (
                  <TableRow key={certificate.role} data-testid={certificatesTestIds.caCertificate} data-role={certificate.role}>
                    <TableCell>{t(`certificates.ca.roles.${certificate.role}`)}</TableCell>
                    <TableCell>{certificate.subject}</TableCell>
                    <TableCell>{certificate.keyAlgorithm}</TableCell>
                    <TableCell>{when(certificate.notAfter)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Paper>

          <PublishedAddresses
            key={status.publicBaseUrl ?? ''}
            status={status}
            onChanged={(next) => {
              setStatus(next);
              setNotice(t('certificates.baseUrl.saved'));
            }}
          />

          <Paper variant="outlined" sx={{ p: 3, mb: 3 }}>
            <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
              {t('certificates.ca.crl')}
            </Typography>
            <Typography data-testid={certificatesTestIds.lastCrl} data-number={status.lastCrl?.number ?? 0}>
              {status.lastCrl === null
                ? t('certificates.ca.noCrl')
                : t('certificates.ca.lastCrl', { number: status.lastCrl.number, entries: status.lastCrl.entries, last: when(status.lastCrl.thisUpdate), next: when(status.lastCrl.nextUpdate) })}
            </Typography>
            <Typography color="text.secondary" sx={{ my: 1, wordBreak: 'break-all' }}>
              {t('certificates.ca.publishDir', { dir: status.publishDir })}
            </Typography>
            <Button
              variant="outlined"
              data-testid={certificatesTestIds.publishCrl}
              onClick={() =>
                act(async () => {
                  const result = await withUnlocked(() => unwrap(carddesk().ca.publishCrl()));
                  setNotice(t('certificates.ca.published', { number: result.full.number }));
                  load();
                })
              }
            >
              {t('certificates.ca.publishNow')}
            </Button>
          </Paper>

          <Paper variant="outlined" sx={{ p: 3 }}>
            <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
              {t('certificates.ca.ocsp')}
            </Typography>
            <Typography color="text.secondary" sx={{ mb: 2 }}>
              {t('certificates.ca.ocspBody')}
            </Typography>
            <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
              <TextField
                type="number"
                label={t('certificates.ca.port')}
                value={status.ocsp.running ? String(status.ocsp.port) : port}
                disabled={status.ocsp.running}
                onChange={(e) => setPort(e.target.value)}
                slotProps={{ htmlInput: { min: 1024, max: 65535, 'data-testid': certificatesTestIds.ocspPort } }}
                sx={{ width: 140 }}
              />
              <FormControlLabel
                control={
                  <Switch
                    checked={status.ocsp.running}
                    slotProps={{ input: { 'data-testid': certificatesTestIds.ocspSwitch } as never }}
                    onChange={(e) => {
                      const call = e.target.checked ? () => unwrap(carddesk().ca.startOcsp({ port: Number(port) })) : () => unwrap(carddesk().ca.stopOcsp());
                      act(async () => setStatus(await withUnlocked(call)));
                    }}
                  />
                }
                label={status.ocsp.running ? t('certificates.ca.ocspOn') : t('certificates.ca.ocspOff')}
              />
              <Typography data-testid={certificatesTestIds.ocspState} data-running={status.ocsp.running}>
                {status.ocsp.running ? t('certificates.ca.ocspAt', { url: `http://127.0.0.1:${status.ocsp.port ?? ''}/` }) : ''}
              </Typography>
            </Box>
          </Paper>
        </>
      )}
      <CaWizard
        open={wizard}
        onClose={() => setWizard(false)}
        onCreated={() => {
          load();
        }}
      />
    </Box>
  );
}
