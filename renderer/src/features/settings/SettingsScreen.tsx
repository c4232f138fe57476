import { useId } from 'react';
import { Box, FormControl, InputLabel, MenuItem, Paper, Select, Typography } from '@mui/material';
import { useColorScheme } from '@mui/material/styles';
import { useTranslation } from 'react-i18next';
import { useAppInfo } from '../../app/AppInfoContext';
import { currentLanguage, isLanguage, languages } from '../../i18n';
import { LettersSettingsPanel } from '../letters';
import { ContractTemplatesPanel } from './ContractTemplatesPanel';
import { IssuancePolicyPanel } from './IssuancePolicyPanel';
import { KioskSettingsPanel } from './KioskSettingsPanel';
import { NetworkListenerPanel } from './NetworkListenerPanel';
import { NotificationsPanel } from './NotificationsPanel';
import { OperatorSessionPanel } from './OperatorSessionPanel';
import { OperatorsPanel } from './OperatorsPanel';
import { Pkcs11ModulesSettings } from './Pkcs11ModulesSettings';
import { VaultPanel } from '../vault';
import { settingsTestIds } from './testIds';

function Fact({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Box component="div" sx={{ display: 'grid', gridTemplateColumns: '180px 1fr', gap: 2, py: 1 }}>
      <Typography component="dt" color="text.secondary">
        {label}
      </Typography>
      <Typography component="dd" sx={{ m: 0, wordBreak: 'break-all' }} data-testid={testId}>
        {value}
      </Typography>
    </Box>
  );
}

export function SettingsScreen() {
  const { t, i18n } = useTranslation();
  const info = useAppInfo();
  const { mode, systemMode, setMode } = useColorScheme();
  const currentMode = mode === 'system' || mode === undefined ? (systemMode ?? 'light') : mode;
  const themeLabelId = useId();
  const languageLabelId = useId();

  return (
    <Box data-testid={settingsTestIds.screen} sx={{ maxWidth: 760 }}>
      <Typography variant="h4" component="h1" sx={{ mb: 3 }}>
        {t('settings.title')}
      </Typography>

      <Paper variant="outlined" sx={{ p: 3, mb: 3 }}>
        <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
          {t('settings.about')}
        </Typography>
        <Box component="dl" sx={{ m: 0 }}>
          <Fact label={t('settings.version')} value={`${info.name} ${info.version}`} testId={settingsTestIds.version} />
          <Fact label={t('settings.dataFolder')} value={info.dataDir} testId={settingsTestIds.dataFolder} />
          <Fact
            label={t('settings.mode')}
            value={info.mode === 'electron' ? t('settings.modeElectron') : t('settings.modeBrowser')}
            testId={settingsTestIds.mode}
          />
        </Box>
      </Paper>

      <VaultPanel />
      {info.surface === 'desk' ? <OperatorsPanel /> : null}
      {info.surface === 'desk' ? <OperatorSessionPanel /> : null}
      {info.surface === 'desk' ? <IssuancePolicyPanel /> : null}
      {info.surface === 'desk' ? <NetworkListenerPanel /> : null}
      {info.surface === 'desk' ? <KioskSettingsPanel /> : null}
      {info.surface === 'desk' ? <LettersSettingsPanel /> : null}
      {info.surface === 'desk' ? <ContractTemplatesPanel /> : null}
      {info.surface === 'desk' ? <NotificationsPanel /> : null}

      <Paper variant="outlined" sx={{ p: 3 }}>
        <Typography variant="h6" component="h2" sx={{ mb: 2 }}>
          {t('settings.appearance')}
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
          <FormControl sx={{ minWidth: 200 }}>
            <InputLabel id={themeLabelId}>{t('settings.theme')}</InputLabel>
            <Select
              labelId={themeLabelId}
              label={t('settings.theme')}
              value={currentMode}
              data-testid={settingsTestIds.themeSelect}
              onChange={(event) => setMode(event.target.value === 'dark' ? 'dark' : 'light')}
            >
              <MenuItem value="light">{t('settings.themeLight')}</MenuItem>
              <MenuItem value="dark">{t('settings.themeDark')}</MenuItem>
            </Select>
          </FormControl>
          <FormControl sx={{ minWidth: 200 }}>
            <InputLabel id={languageLabelId}>{t('settings.language')}</InputLabel>
            <Select
              labelId={languageLabelId}
              label={t('settings.language')}
              value={currentLanguage(i18n)}
              data-testid={settingsTestIds.languageSelect}
              onChange={(event) => {
                if (isLanguage(event.target.value)) void i18n.changeLanguage(event.target.value);
              }}
            >
              {languages.map((language) => (
                <MenuItem key={language} value={language} lang={language}>
                  {t(`language.${language}`)}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        </Box>
      </Paper>
      {info.surface === 'desk' ? <Pkcs11ModulesSettings /> : null}
    </Box>
  );
}
