import { useRef, useState } from 'react';
import { Alert, Box, Button, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { PdfVerifyReport } from '@shared/schemas/contracts';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { ContractList } from './ContractList';
import { ContractDocument } from './ContractDocument';
import { base64Of, downloadBytes } from './labels';
import { contractsTestIds } from './testIds';
import { useWarmPdfWorker } from './viewer';

/** The most the desk takes in one message in browser mode (base64 of about 750 KiB). */
const MAX_CHECKED_BYTES = 750 * 1024;

/** The enrollment contracts, and a check of any PDF file's signatures with the same panel. */
export function ContractsScreen() {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [checked, setChecked] = useState<{ fileName: string; bytes: Uint8Array; report: PdfVerifyReport | null } | null>(null);
  const [tooLarge, setTooLarge] = useState(false);
  useWarmPdfWorker();
  // The viewer opens the file at once; the signature panel follows when the services have checked it.
  const checking = useCommand(async (file: File) => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    setChecked({ fileName: file.name, bytes, report: null });
    const report = await unwrap(carddesk().contracts.verifyFile({ fileName: file.name, base64: base64Of(bytes) }));
    setChecked((shown) => (shown?.bytes === bytes ? { ...shown, report } : shown));
  });

  const onFile = (file: File | undefined): void => {
    setChecked(null);
    setTooLarge(false);
    if (file === undefined) return;
    if (file.size > MAX_CHECKED_BYTES) {
      setTooLarge(true);
      return;
    }
    void checking.run(file);
  };

  return (
    <Box data-testid={contractsTestIds.screen}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 2, flexWrap: 'wrap' }}>
        <Typography variant="h4" component="h1" sx={{ flexGrow: 1 }}>
          {t('nav.contracts')}
        </Typography>
        <Button variant="outlined" onClick={() => input.current?.click()} data-testid={contractsTestIds.checkFile}>
          {t('contracts.checkFile.button')}
        </Button>
        <input
          ref={input}
          type="file"
          accept="application/pdf,.pdf"
          hidden
          data-testid={contractsTestIds.checkFileInput}
          onChange={(e) => {
            onFile(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
      </Box>
      {tooLarge && (
        <Alert severity="warning" sx={{ mb: 2 }} onClose={() => setTooLarge(false)}>
          {t('contracts.checkFile.tooLarge', { size: Math.round(MAX_CHECKED_BYTES / 1024) })}
        </Alert>
      )}
      <CommandError error={checking.error} sx={{ mb: 2 }} />
      {checked !== null ? (
        <Box data-testid={contractsTestIds.fileCheck}>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 1 }}>
            <Typography variant="h5" component="h2" sx={{ flexGrow: 1, wordBreak: 'break-all' }}>
              {t('contracts.checkFile.title', { fileName: checked.fileName })}
            </Typography>
            <Button onClick={() => setChecked(null)}>{t('contracts.checkFile.close')}</Button>
          </Box>
          {checked.report === null && checking.busy && (
            <Typography color="text.secondary" sx={{ mb: 1 }} role="status">
              {t('contracts.checkFile.checking')}
            </Typography>
          )}
          <ContractDocument bytes={checked.bytes} fileName={checked.fileName} report={checked.report} onDownload={() => downloadBytes(checked.fileName, checked.bytes, 'application/pdf')} />
        </Box>
      ) : (
        <ContractList />
      )}
    </Box>
  );
}
