import { Navigate, Route, Routes } from 'react-router';
import { KioskShell } from '../features/kiosk/KioskShell';
import { KioskWelcome } from '../features/kiosk/KioskWelcome';

/** The holder's kiosk: only holder routes exist here; anything else lands on the welcome screen. */
export function KioskApp() {
  return (
    <KioskShell>
      <Routes>
        <Route path="/kiosk" element={<KioskWelcome />} />
        <Route path="*" element={<Navigate to="/kiosk" replace />} />
      </Routes>
    </KioskShell>
  );
}
