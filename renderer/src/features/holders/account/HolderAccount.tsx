import { Box, Paper, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { SecondFactorPanel } from './SecondFactorPanel';
import type { Holder } from '@shared/schemas/holders';
import { ContactPanel } from './ContactPanel';
import { DocumentPanel } from './DocumentPanel';
import { RecoveryCodePanel } from './RecoveryCodePanel';

export interface HolderAccountProps {
  readonly holder: Holder;
  /** Reloads the holder's page after a change (contact data, verified flags, cooldown). */
  readonly onChanged: () => void;
}

/**
 * The holder's account at the desk (issue 15): contact data and its verification, the recovery
 * code, the second factor, the identity document. Each part is its own panel beside this file.
 */
export function HolderAccount({ holder, onChanged }: HolderAccountProps) {
  const { t } = useTranslation();
  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid="holder-account">
      <Typography variant="h6" component="h2" sx={{ mb: 2 }}>
        {t('account.title')}
      </Typography>
      <Box sx={{ display: 'grid', gap: 3 }}>
        {/* account panels */}
        <SecondFactorPanel holder={holder} />
        <ContactPanel holder={holder} onChanged={onChanged} />
        <DocumentPanel holder={holder} onChanged={onChanged} />
        <RecoveryCodePanel holderId={holder.id} onChanged={onChanged} />
      </Box>
    </Paper>
  );
}
