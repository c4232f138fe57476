import { useCallback, useEffect, useState } from 'react';
import { Box, Breadcrumbs, Chip, Link, Typography } from '@mui/material';
import { Link as RouterLink, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ContractSummary, PdfVerifyReport } from '@shared/schemas/contracts';
import { useFormat } from '../../i18n/format';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { ContractDocument } from './ContractDocument';
import { bytesOf, contractStatusColor, downloadBytes } from './labels';
import { contractsTestIds } from './testIds';
import { useWarmPdfWorker } from './viewer';

/** One contract: who and which card it is for, the document in the viewer, its signature panel, download. */
export function ContractDetail() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  useWarmPdfWorker();
  const [contract, setContract] = useState<{ summary: ContractSummary; bytes: Uint8Array | null; fileName: string; report: PdfVerifyReport | null } | null>(null);
  const loading = useCommand(async (wanted: string) => {
    const api = carddesk().contracts;
    const summary = await unwrap(api.get({ id: wanted }));
    // A damaged contract is shown as damaged, never opened: the desk does not serve bytes that do not match their record.
    if (summary.status === 'damaged') {
      setContract({ summary, bytes: null, fileName: '', report: null });
      return;
    }
    // The document is shown as soon as it is here; the signature panel follows when the services have verified it.
    const verifying = unwrap(api.verify({ id: wanted }));
    // Awaited below; a failed open must not leave it rejected with nobody listening.
    verifying.catch(() => undefined);
    const document = await unwrap(api.open({ id: wanted }));
    const bytes = bytesOf(document.base64);
    setContract({ summary, bytes, fileName: document.fileName, report: null });
    const report = await verifying;
    // What the verification found is the contract's status from now on (a signature that no longer holds).
    const checked = await unwrap(api.get({ id: wanted }));
    setContract((shown) => (shown?.bytes === bytes ? { ...shown, summary: checked, report } : shown));
  });
  const downloading = useCommand(async (wanted: string) => {
    const file = await unwrap(carddesk().contracts.download({ id: wanted }));
    downloadBytes(file.fileName, bytesOf(file.base64), file.mediaType);
  });
  const get = loading.run;
  const load = useCallback(() => void get(id), [get, id]);
  useEffect(load, [load]);

  if (contract === null) return loading.error === null ? <Typography role="status">{t('common.loading')}</Typography> : <CommandError error={loading.error} />;
  const { summary } = contract;
  return (
    <Box data-testid={contractsTestIds.detail} data-id={summary.id} data-status={summary.status}>
      <Breadcrumbs aria-label={t('common.breadcrumbs')} sx={{ mb: 1 }}>
        <Link component={RouterLink} to="/contracts">
          {t('nav.contracts')}
        </Link>
        <Typography color="text.primary">{summary.holderName}</Typography>
      </Breadcrumbs>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 1, flexWrap: 'wrap' }}>
        <Typography variant="h4" component="h1">
          {t('contracts.detail.title', { holder: summary.holderName, card: summary.cardSerial })}
        </Typography>
        <Chip color={contractStatusColor(summary.status)} label={t(`contracts.statuses.${summary.status}`)} data-testid={contractsTestIds.status} />
      </Box>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('contracts.detail.facts', {
          kind: t(`contracts.kinds.${summary.kind}`),
          language: t(`language.${summary.language}`),
          generated: format.dateTime(summary.generatedAt),
          signed: summary.signedAt === null ? t('contracts.detail.notSigned') : format.dateTime(summary.signedAt),
        })}
      </Typography>
      <Typography variant="body2" sx={{ mb: 2, fontFamily: 'monospace', wordBreak: 'break-all' }}>
        {t('contracts.detail.sha256', { sha256: summary.sha256 })}
      </Typography>
      <CommandError error={downloading.error} sx={{ mb: 2 }} />
      {contract.bytes === null ? (
        <Typography role="alert" color="error">
          {t('contracts.detail.damaged')}
        </Typography>
      ) : (
        <ContractDocument bytes={contract.bytes} fileName={contract.fileName} report={contract.report} onDownload={() => void downloading.run(summary.id)} />
      )}
    </Box>
  );
}
