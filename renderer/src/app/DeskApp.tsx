import { Suspense } from 'react';
import { Dialog, LinearProgress } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { AppShell } from '../components/AppShell';
import { ApprovalProvider } from './ApprovalProvider';
import { VaultLockButton, VaultUnavailable } from '../features/vault/VaultLockButton';
import { VaultProvider } from '../features/vault/VaultContext';
import { OperatorBar, OperatorSessionProvider, SignInScreen, sessionTestIds, useOperatorSession } from '../features/session';
import { StartRoute } from '../features/welcome/welcomeProgress';
import { defaultDeskPath, deskRoutes, onDemand } from './deskRoutes';

const WelcomeFlow = onDemand(() => import('../features/welcome/WelcomeFlow'), 'WelcomeFlow');

export function DeskApp() {
  return (
    <VaultProvider>
      <OperatorSessionProvider>
        <ApprovalProvider>
          <DeskScreens />
        </ApprovalProvider>
      </OperatorSessionProvider>
    </VaultProvider>
  );
}

/** The desk's screens, or (operators exist and none is signed in, issue 17 §2) the sign-in screen alone. */
function DeskScreens() {
  const { t } = useTranslation();
  const { session } = useOperatorSession();
  if (session?.mode === 'signedOut') {
    return (
      <AppShell routes={[]} actions={<VaultLockButton />}>
        <VaultUnavailable />
        <SignInScreen />
      </AppShell>
    );
  }
  return (
    <AppShell
      routes={deskRoutes}
      actions={
        <>
          <OperatorBar />
          <VaultLockButton />
        </>
      }
    >
      <VaultUnavailable />
      {/* Locked (the operator's card left its reader, Settings → Operator sign-in): the sign-in over the desk, whose screens stay as they were. */}
      <Dialog fullScreen open={session?.mode === 'locked'} slotProps={{ paper: { 'data-testid': sessionTestIds.lockOverlay } as object }}>
        {session?.mode === 'locked' ? <SignInScreen lockedFor={session.name} /> : null}
      </Dialog>
      {/* The screens load on first use (deskRoutes.tsx): a progress bar until one has. */}
      <Suspense fallback={<LinearProgress aria-label={t('common.loading')} />}>
        <Routes>
          {deskRoutes.flatMap((route) => [
            <Route key={route.path} path={route.path} element={route.element} />,
            ...(route.pages ?? []).map((page) => <Route key={page.path} path={page.path} element={page.element} />),
          ])}
          <Route path="/welcome" element={<WelcomeFlow />} />
          {/* A new data folder opens the welcome flow; a set-up one the Cards screen. */}
          <Route path="/" element={<StartRoute deskPath={defaultDeskPath} />} />
          <Route path="*" element={<Navigate to={defaultDeskPath} replace />} />
        </Routes>
      </Suspense>
    </AppShell>
  );
}
