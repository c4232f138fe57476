import { Link } from '@mui/material';
import { useTranslation } from 'react-i18next';

/** Keyboard users jump past the navigation straight to the screen. */
export function SkipLink() {
  const { t } = useTranslation();
  return (
    <Link
      href="#main-content"
      onClick={(event) => {
        event.preventDefault();
        document.getElementById('main-content')?.focus();
      }}
      sx={{
        position: 'absolute',
        left: 8,
        top: -48,
        zIndex: 2000,
        p: 1,
        bgcolor: 'background.paper',
        '&:focus': { top: 8 },
      }}
    >
      {t('app.skipToContent')}
    </Link>
  );
}
