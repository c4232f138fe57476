import { Navigate, Route, Routes } from 'react-router';
import { AppShell } from '../components/AppShell';
import { defaultDeskPath, deskRoutes } from './deskRoutes';

export function DeskApp() {
  return (
    <AppShell routes={deskRoutes}>
      <Routes>
        {deskRoutes.map((route) => (
          <Route key={route.path} path={route.path} element={route.element} />
        ))}
        <Route path="*" element={<Navigate to={defaultDeskPath} replace />} />
      </Routes>
    </AppShell>
  );
}
