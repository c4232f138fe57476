import { IconButton, Tooltip } from '@mui/material';
import { useColorScheme } from '@mui/material/styles';
import DarkModeIcon from '@mui/icons-material/DarkMode';
import LightModeIcon from '@mui/icons-material/LightMode';
import { useTranslation } from 'react-i18next';
import { shellTestIds } from './testIds';

export function ThemeToggle() {
  const { t } = useTranslation();
  const { mode, systemMode, setMode } = useColorScheme();
  const current = mode === 'system' || mode === undefined ? (systemMode ?? 'light') : mode;
  const label = current === 'dark' ? t('toolbar.themeToLight') : t('toolbar.themeToDark');
  return (
    <Tooltip title={label}>
      <IconButton
        color="inherit"
        aria-label={label}
        data-testid={shellTestIds.themeToggle}
        data-mode={current}
        onClick={() => setMode(current === 'dark' ? 'light' : 'dark')}
      >
        {current === 'dark' ? <LightModeIcon aria-hidden /> : <DarkModeIcon aria-hidden />}
      </IconButton>
    </Tooltip>
  );
}
