import type { ReactNode } from 'react';
import { AppBar, Box, Button, ButtonGroup, Toolbar, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { currentLanguage, languages } from '../../i18n';
import { DatabaseLostBanner } from '../../components/DatabaseLostBanner';
import { kioskTestIds } from './testIds';

/**
 * The holder's kiosk frame: no operator navigation, large touch targets, language always one
 * tap away, and the PIN promise on every screen.
 */
export function KioskShell({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const current = currentLanguage(i18n);
  return (
    <Box data-testid={kioskTestIds.shell} sx={{ minHeight: '100vh', display: 'flex', flexDirection: 'column' }}>
      <AppBar position="static" elevation={0}>
        <Toolbar sx={{ minHeight: 80, gap: 2 }}>
          <Typography component="p" variant="h5" sx={{ flexGrow: 1 }}>
            {t('app.name')} · {t('kiosk.title')}
          </Typography>
          <ButtonGroup color="inherit" variant="outlined" aria-label={t('toolbar.language')}>
            {languages.map((language) => (
              <Button
                key={language}
                lang={language}
                size="large"
                aria-pressed={language === current}
                data-testid={kioskTestIds.languageOption(language)}
                onClick={() => void i18n.changeLanguage(language)}
                sx={{ minWidth: 64, minHeight: 48, fontWeight: language === current ? 700 : 400 }}
              >
                {t(`language.${language}`)}
              </Button>
            ))}
          </ButtonGroup>
        </Toolbar>
      </AppBar>
      <DatabaseLostBanner />
      <Box component="main" id="main-content" sx={{ flexGrow: 1, display: 'grid', placeItems: 'center', p: 4 }}>
        {children}
      </Box>
      <Box component="footer" sx={{ p: 2, textAlign: 'center' }}>
        <Typography variant="body1">{t('kiosk.neverAskPin')}</Typography>
      </Box>
    </Box>
  );
}
