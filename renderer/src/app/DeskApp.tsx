import { Navigate, Route, Routes } from 'react-router';
import { AppShell } from '../components/AppShell';
import { VaultProvider } from '../features/vault/VaultContext';
import { defaultDeskPath, deskRoutes } from './deskRoutes';

export function DeskApp() {
  return (
    <VaultProvider>
      <AppShell routes={deskRoutes}>
        <Routes>
          {deskRoutes.flatMap((route) => [
            <Route key={route.path} path={route.path} element={route.element} />,
            ...(route.pages ?? []).map((page) => <Route key={page.path} path={page.path} element={page.element} />),
          ])}
          <Route path="*" element={<Navigate to={defaultDeskPath} replace />} />
        </Routes>
      </AppShell>
    </VaultProvider>
  );
}
