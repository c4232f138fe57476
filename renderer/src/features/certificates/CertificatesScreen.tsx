import { Box, Tab, Tabs, Typography } from '@mui/material';
import { Link as RouterLink, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { CaPage } from './CaPage';
import { CertificateList } from './CertificateList';
import { certificatesTestIds } from './testIds';

/** Issued certificates and, on its own tab, the certificate authority. */
export function CertificatesScreen() {
  const { t } = useTranslation();
  const onCa = useLocation().pathname.startsWith('/certificates/ca');
  return (
    <Box data-testid={certificatesTestIds.screen}>
      <Typography variant="h4" component="h1">
        {t('nav.certificates')}
      </Typography>
      <Typography color="text.secondary" sx={{ mt: 1, mb: 2 }}>
        {t('certificates.intro')}
      </Typography>
      <Tabs value={onCa ? 'ca' : 'list'} aria-label={t('certificates.tabs')} sx={{ mb: 3 }}>
        <Tab value="list" label={t('certificates.tabList')} component={RouterLink} to="/certificates" data-testid={certificatesTestIds.tabList} />
        <Tab value="ca" label={t('certificates.tabCa')} component={RouterLink} to="/certificates/ca" data-testid={certificatesTestIds.tabCa} />
      </Tabs>
      {onCa ? <CaPage /> : <CertificateList />}
    </Box>
  );
}
