import { useEffect, useState } from 'react';
import { Alert } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { carddesk } from '../api/carddesk';
import { shellTestIds } from './testIds';

/**
 * Team mode (issue 18 §5): while the station has lost the team database it says so on every
 * screen; the core refuses the writes. Gone when the database is back. Never shown embedded.
 */
export function DatabaseLostBanner() {
  const { t } = useTranslation();
  const [lost, setLost] = useState(false);
  useEffect(() => {
    const api = carddesk().database;
    let current = true;
    const unsubscribe = api.onStatus((status) => {
      current = false; // Newer than what the question below answers.
      setLost(!status.connected);
    });
    // A screen opened while the database is away: the event went before it.
    void api.state().then((state) => {
      if (current && state.ok) setLost(!state.value.connected);
    });
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);
  if (!lost) return null;
  return (
    <Alert severity="error" role="alert" data-testid={shellTestIds.databaseLost} sx={{ mb: 2 }}>
      {t('app.databaseLost')}
    </Alert>
  );
}
