import { Box, Button } from '@mui/material';
import BackspaceOutlinedIcon from '@mui/icons-material/BackspaceOutlined';
import { useTranslation } from 'react-i18next';

/**
 * An on-screen PIN pad for touch screens (kiosks, desks without a keyboard). It only reports key
 * presses; the dialog that owns it holds the digits for as long as it is open, and no longer.
 */
export function PinPad({ onDigit, onBackspace, onClear, disabled }: { onDigit: (digit: string) => void; onBackspace: () => void; onClear: () => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const key = { minWidth: 64, minHeight: 56, fontSize: '1.4rem' } as const;
  // A word, not a digit: smaller, so "Alles wissen" or "Fshi gjithçka" fits its cell.
  const clearKey = { ...key, fontSize: '0.8rem', lineHeight: 1.2, px: 0.5 } as const;
  return (
    <Box role="group" aria-label={t('cards.pinPad.label')} data-testid="pin-pad" sx={{ display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', gap: 1, maxWidth: 260, mx: 'auto' }}>
      {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((digit) => (
        <Button key={digit} variant="outlined" sx={key} disabled={disabled} aria-label={t('cards.pinPad.digit', { digit })} data-testid={`pin-key-${digit}`} onClick={() => onDigit(digit)}>
          {digit}
        </Button>
      ))}
      <Button variant="text" sx={clearKey} disabled={disabled} onClick={onClear} data-testid="pin-key-clear">
        {t('cards.pinPad.clear')}
      </Button>
      <Button variant="outlined" sx={key} disabled={disabled} aria-label={t('cards.pinPad.digit', { digit: '0' })} data-testid="pin-key-0" onClick={() => onDigit('0')}>
        0
      </Button>
      <Button variant="text" sx={key} disabled={disabled} aria-label={t('cards.pinPad.backspace')} data-testid="pin-key-backspace" onClick={onBackspace}>
        <BackspaceOutlinedIcon aria-hidden />
      </Button>
    </Box>
  );
}
