import { Box } from '@mui/material';
import { Navigate, Route, Routes } from 'react-router';
import { SignaturePanel } from '../features/contracts/SignaturePanel';
import { PdfViewer, viewerTestIds } from '../features/contracts/viewer';
import { KioskDocumentViewsContext, type KioskDocumentViews } from '../features/kiosk/documentViews';
import { KioskActivate } from '../features/kiosk/KioskActivate';
import { KioskFlowProvider } from '../features/kiosk/KioskFlow';
import { KioskHomeRoute } from '../features/kiosk/KioskHome';
import { KioskShell } from '../features/kiosk/KioskShell';
import { KioskSignIn } from '../features/kiosk/KioskSignIn';
import { KioskStolenCard } from '../features/kiosk/KioskStolenCard';
import { KioskLostInfo } from '../features/kiosk/account/KioskLostInfo';
import { KioskUnblock } from '../features/kiosk/KioskUnblock';
import { KioskWelcome } from '../features/kiosk/KioskWelcome';

/** The desk's contract viewer, read-only, with touch-sized buttons; where the kiosk allows no files its download button is not there. */
const documentViews: KioskDocumentViews = {
  Viewer: ({ data, fileName, onDownload, height }) => (
    <Box
      sx={{
        // Touch-sized controls in the viewer's toolbar.
        '& .MuiIconButton-root': { minWidth: 48, minHeight: 48 },
        ...(onDownload === null ? { [`& [data-testid="${viewerTestIds.download}"]`]: { display: 'none' } } : {}),
      }}
    >
      <PdfViewer data={data} fileName={fileName} onDownload={onDownload ?? (() => undefined)} height={height} />
    </Box>
  ),
  Signatures: SignaturePanel,
};

/**
 * The holder's kiosk: only holder routes exist here; anything else lands on the welcome screen.
 * Every move between them replaces the history entry, so the history never holds a holder's screen.
 */
export function KioskApp() {
  return (
    <KioskFlowProvider>
      <KioskDocumentViewsContext value={documentViews}>
        <KioskShell>
          <Routes>
            <Route path="/kiosk" element={<KioskWelcome />} />
            <Route path="/kiosk/pin" element={<KioskSignIn />} />
            <Route path="/kiosk/unblock" element={<KioskUnblock />} />
            <Route path="/kiosk/activate" element={<KioskActivate />} />
            <Route path="/kiosk/home" element={<KioskHomeRoute />} />
            <Route path="/kiosk/stolen" element={<KioskStolenCard />} />
            <Route path="/kiosk/lost" element={<KioskLostInfo />} />
            <Route path="*" element={<Navigate to="/kiosk" replace />} />
          </Routes>
        </KioskShell>
      </KioskDocumentViewsContext>
    </KioskFlowProvider>
  );
}
