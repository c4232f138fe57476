import { Box } from '@mui/material';
import { KioskSecondFactor } from './KioskSecondFactor';
import { KioskContactPanel } from './KioskContactPanel';
import { KioskDocumentPanel } from './KioskDocumentPanel';

/**
 * The signed-in holder's Account section at the kiosk (issue 15): contact data, recovery code,
 * second factor, identity document. Each part is its own panel beside this file; the holder's
 * details come from HolderContext.
 */
export function KioskAccount() {
  return (
    <Box sx={{ display: 'grid', gap: 3 }} data-testid="kiosk-account">
      {/* account panels */}
      <KioskSecondFactor />
      <KioskContactPanel />
      <KioskDocumentPanel />
    </Box>
  );
}
