import { useState, type ReactNode } from 'react';
import { Alert, Box, Button, Paper, Typography } from '@mui/material';
import PersonIcon from '@mui/icons-material/Person';
import LockIcon from '@mui/icons-material/Lock';
import ManageAccountsIcon from '@mui/icons-material/ManageAccounts';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';
import PhoneIphoneIcon from '@mui/icons-material/PhoneIphone';
import DescriptionIcon from '@mui/icons-material/Description';
import HistoryIcon from '@mui/icons-material/History';
import PauseCircleIcon from '@mui/icons-material/PauseCircle';
import BlockIcon from '@mui/icons-material/Block';
import LogoutIcon from '@mui/icons-material/Logout';
import { useTranslation } from 'react-i18next';
import { Navigate } from 'react-router';
import { carddesk } from '../../api/carddesk';
import { useFormat } from '../../i18n/format';
import { HolderProvider, useHolder } from './HolderContext';
import { IdleGuard } from './IdleGuard';
import { useKioskFlow } from './KioskFlow';
import { KioskCertificates } from './KioskCertificates';
import { KioskContract } from './KioskContract';
import { KioskHistory } from './KioskHistory';
import { KioskMobileId } from './KioskMobileId';
import { KioskRevoke, KioskSuspend } from './KioskSuspendRevoke';
import { KioskSecurity } from './KioskSecurity';
import { KioskAccount } from './account/KioskAccount';
import { kioskTestIds } from './testIds';

export const homeTabs = ['profile', 'security', 'account', 'certificates', 'mobile', 'contract', 'history', 'suspend', 'revoke'] as const;
export type HomeTab = (typeof homeTabs)[number];

const icons: Record<HomeTab, ReactNode> = {
  profile: <PersonIcon aria-hidden />,
  security: <LockIcon aria-hidden />,
  account: <ManageAccountsIcon aria-hidden />,
  certificates: <VerifiedUserIcon aria-hidden />,
  mobile: <PhoneIphoneIcon aria-hidden />,
  contract: <DescriptionIcon aria-hidden />,
  history: <HistoryIcon aria-hidden />,
  suspend: <PauseCircleIcon aria-hidden />,
  revoke: <BlockIcon aria-hidden />,
};

/**
 * A menu entry: in portrait four to a row with the icon above the words, in landscape one to a
 * row with the icon before them; the words are never cut (no capitals, they may wrap).
 */
const menuButton = {
  minHeight: 96,
  fontSize: '1.1rem',
  lineHeight: 1.2,
  textTransform: 'none',
  flexDirection: 'column',
  gap: 0.5,
  textAlign: 'center',
  overflowWrap: 'anywhere',
  hyphens: 'auto',
  '& .MuiButton-startIcon': { m: 0, '& svg': { fontSize: 32 } },
  '@media (orientation: landscape)': { minHeight: 72, flexDirection: 'row', justifyContent: 'flex-start', textAlign: 'left', gap: 1.5 },
} as const;

/** The signed-in holder's home: the holder's details live in HolderProvider, under this route only. */
export function KioskHomeRoute() {
  const flow = useKioskFlow();
  if (flow.begun === null) {
    // No session on this page (a reload, a typed address): nothing of a holder is asked for.
    return <Navigate to="/kiosk" replace />;
  }
  return (
    <HolderProvider>
      <KioskHome />
    </HolderProvider>
  );
}

function KioskHome() {
  const { t } = useTranslation();
  const { home } = useHolder();
  const flow = useKioskFlow();
  const [tab, setTab] = useState<HomeTab>('profile');

  const signOut = (): void => {
    void carddesk()
      .kiosk.signOut()
      .catch(() => undefined);
    flow.endSession('signedOut');
  };

  return (
    <Box
      data-testid={kioskTestIds.home}
      data-tab={tab}
      sx={{
        alignSelf: 'stretch',
        width: '100%',
        display: 'grid',
        gap: 3,
        gridTemplateColumns: '1fr',
        gridTemplateRows: 'auto 1fr',
        '@media (orientation: landscape)': { gridTemplateColumns: '320px minmax(0, 1fr)', gridTemplateRows: '1fr' },
      }}
    >
      <IdleGuard initialSecondsLeft={home.idleSecondsLeft} />
      <Box component="nav" aria-label={t('kiosk.home.menu')} sx={{ display: 'grid', gap: 1.5, alignContent: 'start' }}>
        <Typography variant="h5" component="p" data-testid={kioskTestIds.holderName} sx={{ mb: 1 }}>
          {t('kiosk.home.hello', { name: `${home.holder.firstName} ${home.holder.lastName}` })}
        </Typography>
        <Box
          sx={{
            display: 'grid',
            gap: 1.5,
            gridTemplateColumns: 'repeat(4, minmax(0, 1fr))',
            '@media (orientation: landscape)': { gridTemplateColumns: '1fr' },
          }}
        >
          {homeTabs.map((name) => (
            <Button
              key={name}
              variant={tab === name ? 'contained' : 'outlined'}
              color={name === 'revoke' ? 'error' : 'primary'}
              aria-current={tab === name ? 'page' : undefined}
              startIcon={icons[name]}
              data-testid={kioskTestIds.tab(name)}
              onClick={() => setTab(name)}
              sx={menuButton}
            >
              {t(`kiosk.tabs.${name}`)}
            </Button>
          ))}
          <Button variant="outlined" color="inherit" startIcon={<LogoutIcon aria-hidden />} data-testid={kioskTestIds.signOut} onClick={signOut} sx={menuButton}>
            {t('kiosk.tabs.signOut')}
          </Button>
        </Box>
      </Box>
      <Box component="section" data-testid={kioskTestIds.section(tab)} aria-labelledby="kiosk-section-title" sx={{ minWidth: 0 }}>
        <Typography id="kiosk-section-title" variant="h3" component="h1" sx={{ mb: 3 }}>
          {t(`kiosk.tabs.${tab}`)}
        </Typography>
        {tab === 'profile' ? <KioskProfile /> : null}
        {tab === 'security' ? <KioskSecurity /> : null}
        {tab === 'account' ? <KioskAccount /> : null}
        {tab === 'certificates' ? <KioskCertificates /> : null}
        {tab === 'mobile' ? <KioskMobileId /> : null}
        {tab === 'contract' ? <KioskContract /> : null}
        {tab === 'history' ? <KioskHistory /> : null}
        {tab === 'suspend' ? <KioskSuspend /> : null}
        {tab === 'revoke' ? <KioskRevoke /> : null}
      </Box>
    </Box>
  );
}

/** A label above its value, large enough to read standing. */
export function Fact({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <Box>
      <Typography variant="body1" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="h6" component="p" data-testid={testId}>
        {value}
      </Typography>
    </Box>
  );
}

function KioskProfile() {
  const { t } = useTranslation();
  const format = useFormat();
  const { home } = useHolder();
  const { holder, card, certificates } = home;
  return (
    <Box sx={{ display: 'grid', gap: 3 }}>
      {holder.documentExpiresSoon ? (
        <Alert severity="warning" data-testid={kioskTestIds.documentWarning} sx={{ fontSize: '1.15rem' }}>
          {holder.documentExpiry === null ? t('kiosk.profile.documentSoonUnknown') : t('kiosk.profile.documentSoon', { date: format.date(holder.documentExpiry, 'long') })}
        </Alert>
      ) : null}
      <Paper variant="outlined" sx={{ p: 3, display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' } }}>
        <Fact label={t('kiosk.profile.firstName')} value={holder.firstName} />
        <Fact label={t('kiosk.profile.lastName')} value={holder.lastName} />
        <Fact label={t('kiosk.profile.userNumber')} value={holder.userNumber} />
        <Fact label={t('kiosk.profile.organisation')} value={holder.organisation === '' ? '—' : holder.organisation} />
        <Fact label={t('kiosk.profile.cardSerial')} value={card.serial} />
        <Fact label={t('kiosk.profile.documentExpiry')} value={holder.documentExpiry === null ? t('kiosk.profile.none') : format.date(holder.documentExpiry, 'long')} />
      </Paper>
      <Typography variant="h5" component="h2">
        {t('kiosk.profile.certificates')}
      </Typography>
      {certificates.length === 0 ? <Typography>{t('kiosk.certificates.none')}</Typography> : null}
      {certificates.map((certificate) => (
        <Paper key={certificate.serial} variant="outlined" sx={{ p: 3, display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr 1fr' } }}>
          <Fact label={t('kiosk.certificates.use')} value={t(`certificates.profiles.${certificate.profile}`)} />
          <Fact label={t('kiosk.certificates.issued')} value={format.date(certificate.notBefore, 'long')} />
          <Fact label={t('kiosk.certificates.expires')} value={format.date(certificate.notAfter, 'long')} />
        </Paper>
      ))}
    </Box>
  );
}
