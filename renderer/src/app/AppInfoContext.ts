import { createContext, useContext } from 'react';
import type { AppInfo } from '@shared/schemas/app';

export const AppInfoContext = createContext<AppInfo | null>(null);

export function useAppInfo(): AppInfo {
  const info = useContext(AppInfoContext);
  if (info === null) throw new Error('useAppInfo needs the AppInfoContext provider');
  return info;
}
