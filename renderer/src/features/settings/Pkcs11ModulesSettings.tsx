import { useCallback, useEffect, useState } from 'react';
import { Alert, Box, Button, Chip, Paper, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Pkcs11ModuleStatus } from '@shared/schemas/pkcs11';
import { carddesk, errorCodeOf, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { useVault } from '../vault';
import { settingsTestIds } from './testIds';

/** The PKCS#11 modules CardDesk loads: found ones, the operator's vendor modules, and their state. */
export function Pkcs11ModulesSettings() {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [modules, setModules] = useState<Pkcs11ModuleStatus[] | null>(null);
  const [folders, setFolders] = useState<{ os: string[]; added: string[] } | null>(null);
  const [folder, setFolder] = useState('');
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  // The core's own words on a module path it refused (INVALID_ARGUMENTS); other failures are codes.
  const [problem, setProblem] = useState<string | null>(null);

  const loadModules = useCommand(async () => setModules(await unwrap(carddesk().tokens.modules())));
  const loadFolders = useCommand(async () => setFolders(await unwrap(carddesk().tokens.libraryFolders())));
  const [runModules, runFolders] = [loadModules.run, loadFolders.run];
  const load = useCallback(() => {
    void runModules();
    void runFolders();
  }, [runModules, runFolders]);
  useEffect(load, [load]);

  const change = useCommand(async (work: () => Promise<unknown>) => {
    try {
      // Adding or removing a module or a folder is an administrator's act: the vault must be unlocked.
      await withUnlocked(work);
    } catch (error) {
      if (!(error instanceof Error && errorCodeOf(error) === 'INVALID_ARGUMENTS')) throw error;
      setProblem(error.message);
      return;
    }
    load();
  });
  const busy = change.busy;
  const run = (work: () => Promise<unknown>): Promise<void> => {
    setProblem(null);
    return change.run(work);
  };

  return (
    <Paper variant="outlined" sx={{ p: 3, mt: 3 }} data-testid={settingsTestIds.pkcs11}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('settings.pkcs11.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('settings.pkcs11.intro')}
      </Typography>
      {modules !== null ? (
        <Table size="small" sx={{ mb: 2 }}>
          <TableHead>
            <TableRow>
              <TableCell>{t('settings.pkcs11.name')}</TableCell>
              <TableCell>{t('settings.pkcs11.path')}</TableCell>
              <TableCell>{t('settings.pkcs11.status')}</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {modules.map((module) => (
              <TableRow key={module.id} data-testid={settingsTestIds.pkcs11Row} data-module-id={module.id} data-state={module.state}>
                <TableCell>
                  {module.name}
                  <Typography variant="body2" color="text.secondary">
                    {module.source === 'default' ? t('settings.pkcs11.default') : t('settings.pkcs11.custom')}
                  </Typography>
                </TableCell>
                <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{module.path}</TableCell>
                <TableCell>
                  {module.state === 'loaded' ? (
                    <>
                      <Chip size="small" color="success" label={t('settings.pkcs11.loaded')} />
                      <Typography variant="body2" color="text.secondary">
                        {module.manufacturer} {module.version}
                      </Typography>
                    </>
                  ) : (
                    <Typography variant="body2" color="error">
                      {module.problem === null ? module.message : t(`settings.pkcs11.problem.${module.problem}`)}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  {module.source === 'custom' ? (
                    <Button size="small" disabled={busy} onClick={() => void run(() => unwrap(carddesk().tokens.removeModule({ id: module.id })))}>
                      {t('settings.pkcs11.remove')}
                    </Button>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      <Box
        component="form"
        sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'flex-start' }}
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            await unwrap(carddesk().tokens.addModule({ name, path }));
            setName('');
            setPath('');
          });
        }}
      >
        <TextField label={t('settings.pkcs11.name')} value={name} onChange={(event) => setName(event.target.value)} size="small" slotProps={{ htmlInput: { 'data-testid': settingsTestIds.pkcs11Name } }} />
        <TextField label={t('settings.pkcs11.path')} value={path} onChange={(event) => setPath(event.target.value)} size="small" sx={{ flexGrow: 1, minWidth: 280 }} slotProps={{ htmlInput: { 'data-testid': settingsTestIds.pkcs11Path } }} />
        <Button type="submit" variant="outlined" disabled={busy || name.trim() === '' || path.trim() === ''} data-testid={settingsTestIds.pkcs11Add}>
          {t('settings.pkcs11.add')}
        </Button>
      </Box>
      {folders !== null ? (
        <Box sx={{ mt: 3 }} data-testid={settingsTestIds.pkcs11Folders}>
          <Typography variant="subtitle1" component="h3">
            {t('settings.pkcs11.folders')}
          </Typography>
          <Typography color="text.secondary" variant="body2" sx={{ mb: 1 }}>
            {t('settings.pkcs11.foldersIntro')}
          </Typography>
          <Box component="ul" sx={{ m: 0, mb: 1, pl: 3, fontFamily: 'monospace', wordBreak: 'break-all' }}>
            {folders.os.map((path) => (
              <li key={`os-${path}`}>{path}</li>
            ))}
            {folders.added.map((path) => (
              <li key={`added-${path}`} data-testid={settingsTestIds.pkcs11Folder}>
                {path}{' '}
                <Button size="small" disabled={busy} onClick={() => void run(() => unwrap(carddesk().tokens.removeLibraryFolder({ path })))}>
                  {t('settings.pkcs11.remove')}
                </Button>
              </li>
            ))}
          </Box>
          <Box
            component="form"
            sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'flex-start' }}
            onSubmit={(event) => {
              event.preventDefault();
              void run(async () => {
                await unwrap(carddesk().tokens.addLibraryFolder({ path: folder }));
                setFolder('');
              });
            }}
          >
            <TextField label={t('settings.pkcs11.folder')} value={folder} onChange={(event) => setFolder(event.target.value)} size="small" sx={{ flexGrow: 1, minWidth: 280 }} slotProps={{ htmlInput: { 'data-testid': settingsTestIds.pkcs11FolderPath } }} />
            <Button type="submit" variant="outlined" disabled={busy || folder.trim() === ''} data-testid={settingsTestIds.pkcs11FolderAdd}>
              {t('settings.pkcs11.addFolder')}
            </Button>
          </Box>
        </Box>
      ) : null}
      <CommandError error={change.error ?? loadModules.error ?? loadFolders.error} sx={{ mt: 2 }} testId={settingsTestIds.pkcs11Problem} />
      {problem !== null ? (
        <Alert severity="error" sx={{ mt: 2 }} data-testid={settingsTestIds.pkcs11Problem}>
          {problem}
        </Alert>
      ) : null}
    </Paper>
  );
}
