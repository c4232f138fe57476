import { useId, useState } from 'react';
import { Button, Menu, MenuItem } from '@mui/material';
import TranslateIcon from '@mui/icons-material/Translate';
import { useTranslation } from 'react-i18next';
import { currentLanguage, languages } from '../i18n';
import { shellTestIds } from './testIds';

export function LanguageMenu({ size = 'medium' }: { size?: 'medium' | 'large' }) {
  const { t, i18n } = useTranslation();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const menuId = useId();
  const language = currentLanguage(i18n);
  return (
    <>
      <Button
        color="inherit"
        size={size}
        startIcon={<TranslateIcon aria-hidden />}
        aria-label={`${t('toolbar.language')}: ${t(`language.${language}`)}`}
        aria-haspopup="menu"
        aria-controls={anchor === null ? undefined : menuId}
        aria-expanded={anchor !== null}
        onClick={(event) => setAnchor(event.currentTarget)}
        data-testid={shellTestIds.languageButton}
      >
        {t(`language.${language}`)}
      </Button>
      <Menu id={menuId} anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        {languages.map((option) => (
          <MenuItem
            key={option}
            lang={option}
            selected={option === language}
            data-testid={shellTestIds.languageOption(option)}
            onClick={() => {
              setAnchor(null);
              void i18n.changeLanguage(option);
            }}
          >
            {t(`language.${option}`)}
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}
