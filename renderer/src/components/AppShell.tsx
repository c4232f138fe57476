import type { ReactNode } from 'react';
import { AppBar, Box, Drawer, List, ListItem, ListItemButton, ListItemIcon, ListItemText, Toolbar, Typography } from '@mui/material';
import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { DeskRoute } from '../app/deskRoutes';
import { DatabaseLostBanner } from './DatabaseLostBanner';
import { LanguageMenu } from './LanguageMenu';
import { SkipLink } from './SkipLink';
import { ThemeToggle } from './ThemeToggle';
import { shellTestIds } from './testIds';

const drawerWidth = 232;

/** `actions` sit in the app bar before the language and theme (the desk's vault lock). No routes: no navigation drawer (the sign-in screen). */
export function AppShell({ routes, actions, children }: { routes: readonly DeskRoute[]; actions?: ReactNode; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Box sx={{ display: 'flex', minHeight: '100vh' }}>
      <SkipLink />
      <AppBar position="fixed" sx={{ zIndex: (theme) => theme.zIndex.drawer + 1 }}>
        <Toolbar sx={{ gap: 1 }}>
          <Typography component="p" variant="h6" sx={{ flexGrow: 1 }} data-testid={shellTestIds.title}>
            {t('app.name')}
          </Typography>
          {actions}
          <LanguageMenu />
          <ThemeToggle />
        </Toolbar>
      </AppBar>
      {routes.length === 0 ? null : (
        <Drawer
          variant="permanent"
          sx={{ width: drawerWidth, flexShrink: 0, '& .MuiDrawer-paper': { width: drawerWidth, boxSizing: 'border-box' } }}
        >
          <Toolbar />
          <Box component="nav" aria-label={t('nav.label')}>
            <List>
              {routes.map((route) => (
                <ListItem key={route.path} disablePadding>
                  <ListItemButton
                    component={NavLink}
                    to={route.path}
                    data-testid={shellTestIds.navItem(route.path)}
                    sx={{ '&.active': { bgcolor: 'action.selected', fontWeight: 500 } }}
                  >
                    <ListItemIcon>
                      <route.icon aria-hidden />
                    </ListItemIcon>
                    <ListItemText primary={t(route.labelKey)} />
                  </ListItemButton>
                </ListItem>
              ))}
            </List>
          </Box>
        </Drawer>
      )}
      <Box component="main" id="main-content" tabIndex={-1} sx={{ flexGrow: 1, p: 3, minWidth: 0, outline: 'none' }}>
        <Toolbar />
        <DatabaseLostBanner />
        {children}
      </Box>
    </Box>
  );
}
