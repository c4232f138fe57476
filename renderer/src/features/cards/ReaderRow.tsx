import { Box, Chip, ListItem, ListItemButton, ListItemIcon, ListItemText, Typography } from '@mui/material';
import CreditCardIcon from '@mui/icons-material/CreditCard';
import CreditCardOffIcon from '@mui/icons-material/CreditCardOff';
import { useTranslation } from 'react-i18next';
import type { Reader } from '@shared/schemas/readers';
import { cardsTestIds } from './testIds';

export function spacedHex(hex: string): string {
  return hex.replace(/(..)(?=.)/g, '$1 ');
}

export function ReaderRow({ reader, selected, onSelect }: { reader: Reader; selected: boolean; onSelect: () => void }) {
  const { t } = useTranslation();
  const present = reader.cardState !== 'absent';
  return (
    <ListItem divider disablePadding data-testid={cardsTestIds.readerRow} data-reader-name={reader.name} data-card-state={reader.cardState}>
      <ListItemButton selected={selected} onClick={onSelect} aria-current={selected ? 'true' : undefined} sx={{ alignItems: 'flex-start' }}>
        <ListItemIcon sx={{ mt: 0.5 }}>{present ? <CreditCardIcon color="primary" aria-hidden /> : <CreditCardOffIcon aria-hidden />}</ListItemIcon>
        <ListItemText
          primary={reader.name}
          slotProps={{ primary: { component: 'h2', variant: 'subtitle1' }, secondary: { component: 'div' } }}
          secondary={
            <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 1, mt: 0.5 }}>
              <Chip
                size="small"
                data-testid={cardsTestIds.cardState}
                color={reader.cardState === 'present' ? 'success' : reader.cardState === 'mute' ? 'warning' : 'default'}
                label={t(`cards.cardState.${reader.cardState}`)}
              />
              {reader.kind === 'virtual' ? <Chip size="small" variant="outlined" label={t('cards.readerKind.virtual')} /> : null}
              {reader.inUse ? <Chip size="small" variant="outlined" label={t('cards.inUse')} /> : null}
              {reader.atr !== null ? (
                <Typography variant="body2" component="span" data-testid={cardsTestIds.atr} sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
                  {t('cards.atr')} {spacedHex(reader.atr)}
                </Typography>
              ) : null}
            </Box>
          }
        />
      </ListItemButton>
    </ListItem>
  );
}
