import { useState } from 'react';
import { Box, Button, Paper, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { CaStatus } from '@shared/schemas/ca';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { useVault } from '../vault';
import { baseUrlProblem, PublicBaseUrlField } from './PublicBaseUrlField';
import { certificatesTestIds } from './testIds';

type ReadyStatus = Extract<CaStatus, { ready: true }>;

/** The addresses issued certificates carry (CDP, OCSP, caIssuers), and changing the base URL (vault unlocked). */
export function PublishedAddresses({ status, onChanged }: { status: ReadyStatus; onChanged: (status: CaStatus) => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [baseUrl, setBaseUrl] = useState(status.publicBaseUrl ?? '');
  const [check, setCheck] = useState(false);
  const saving = useCommand(async (publicBaseUrl: string) => onChanged(await withUnlocked(() => unwrap(carddesk().ca.setPublicBaseUrl({ publicBaseUrl })))));
  const busy = saving.busy;

  const save = (): void => {
    setCheck(true);
    if (baseUrlProblem(baseUrl) !== null) return;
    void saving.run(baseUrl.trim());
  };

  const rows = [
    ['crl', status.crlUrl],
    ['ocsp', status.ocspUrl],
    ['caIssuers', status.caIssuersUrl],
  ] as const;
  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('certificates.baseUrl.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('certificates.baseUrl.body')}
      </Typography>
      <CommandError error={saving.error} sx={{ mb: 2 }} onClose={saving.reset} />
      <Box component="dl" sx={{ m: 0, mb: 2 }} data-testid={certificatesTestIds.publishedUrls} data-base-url={status.publicBaseUrl ?? ''}>
        {status.publicBaseUrl === null ? (
          <Typography>{t('certificates.baseUrl.none')}</Typography>
        ) : (
          rows.map(([key, url]) => (
            <Box key={key} sx={{ display: 'grid', gridTemplateColumns: 'minmax(120px, 200px) 1fr', gap: 2, py: 0.5 }}>
              <Typography component="dt" color="text.secondary">
                {t(`certificates.baseUrl.${key}`)}
              </Typography>
              <Typography component="dd" sx={{ m: 0, wordBreak: 'break-all' }}>
                {url}
              </Typography>
            </Box>
          ))
        )}
      </Box>
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'flex-start', flexWrap: 'wrap' }}>
        <Box sx={{ flex: '1 1 280px', display: 'grid' }}>
          <PublicBaseUrlField value={baseUrl} onChange={setBaseUrl} showProblem={check} />
        </Box>
        <Button variant="outlined" onClick={save} disabled={busy} data-testid={certificatesTestIds.baseUrlSave} sx={{ mt: 1 }}>
          {t('certificates.baseUrl.save')}
        </Button>
      </Box>
    </Paper>
  );
}
