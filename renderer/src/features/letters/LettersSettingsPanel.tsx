import { useEffect, useId, useState, type FormEvent } from 'react';
import { Alert, Box, Button, FormControl, InputLabel, MenuItem, Paper, Select, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { LetterSettings } from '@shared/schemas/letters';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { lettersTestIds } from './testIds';

type Problem = Extract<Awaited<ReturnType<typeof saveSettings>>, { ok: false }>['problem'];

function saveSettings(folder: string, printer: string | null) {
  return unwrap(carddesk().letters.updateSettings({ folder: folder.trim() === '' ? null : folder.trim(), printer }));
}

/** Where PIN letters go from this desk: a mailing house's drop folder, and the printer (a queue of the machine's print system, CUPS). */
export function LettersSettingsPanel() {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<LetterSettings | null>(null);
  const [folder, setFolder] = useState('');
  const [printer, setPrinter] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState(false);
  const printerLabel = useId();
  const folderProblem = problem === null || problem === 'unknownPrinter' || problem === 'printSystemDown' ? null : problem;

  const load = useCommand(async () => {
    const loaded = await unwrap(carddesk().letters.settings());
    setSettings(loaded);
    setFolder(loaded.folder ?? '');
    setPrinter(loaded.printer);
  });
  const save = useCommand(async () => {
    const result = await saveSettings(folder, printer);
    if (result.ok) {
      setSettings(result.settings);
      setFolder(result.settings.folder ?? '');
      setSaved(true);
    } else setProblem(result.problem);
  });
  const busy = save.busy;
  const loadSettings = load.run;

  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setSaved(false);
    setProblem(null);
    void save.run();
  };

  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={lettersTestIds.settings}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('letters.settings.title')}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        {t('letters.settings.body')}
      </Typography>
      <CommandError error={save.error ?? load.error} />
      {settings === null ? null : (
        <Box component="form" onSubmit={submit} noValidate sx={{ display: 'grid', gap: 2 }}>
          <TextField
            label={t('letters.settings.folder')}
            value={folder}
            onChange={(event) => setFolder(event.target.value)}
            error={folderProblem !== null}
            helperText={folderProblem !== null ? t(`letters.settings.problems.${folderProblem}`) : t('letters.settings.folderHint')}
            slotProps={{ htmlInput: { 'data-testid': lettersTestIds.folder, spellCheck: false } }}
          />
          {settings.printing ? (
            <FormControl>
              <InputLabel id={printerLabel}>{t('letters.settings.printer')}</InputLabel>
              <Select
                labelId={printerLabel}
                label={t('letters.settings.printer')}
                value={printer ?? ''}
                displayEmpty
                onChange={(event) => setPrinter(event.target.value === '' ? null : event.target.value)}
                data-testid={lettersTestIds.printer}
              >
                <MenuItem value="">
                  {settings.printSystem !== 'ready'
                    ? t('letters.settings.defaultPrinter')
                    : settings.defaultPrinter === null
                      ? t('letters.settings.noDefaultPrinter')
                      : t('letters.settings.defaultPrinterNamed', { name: settings.defaultPrinter })}
                </MenuItem>
                {/* A chosen printer the print system no longer lists stays visible, so the choice is not lost unseen. */}
                {[...settings.printers, ...(printer !== null && !settings.printers.includes(printer) ? [printer] : [])].map((name) => (
                  <MenuItem key={name} value={name} data-testid={lettersTestIds.printerOption}>
                    {name}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
          ) : (
            <Alert severity="info" data-testid={lettersTestIds.noPrinting}>
              {t('letters.settings.noPrinting')}
            </Alert>
          )}
          {settings.printSystem === 'stopped' || settings.printSystem === 'failing' ? (
            <Alert severity="warning" data-testid={lettersTestIds.printSystem} data-state={settings.printSystem}>
              {t(settings.printSystem === 'stopped' ? 'letters.settings.printSystemDown' : 'letters.settings.printSystemFailing')}
            </Alert>
          ) : null}
          {problem === 'unknownPrinter' || problem === 'printSystemDown' ? (
            <Alert severity="error" data-testid={lettersTestIds.problem} data-problem={problem}>
              {t(`letters.settings.problems.${problem}`)}
            </Alert>
          ) : null}
          {saved ? (
            <Alert severity="success" data-testid={lettersTestIds.saved}>
              {t('letters.settings.saved')}
            </Alert>
          ) : null}
          <Box>
            <Button type="submit" variant="contained" disabled={busy} data-testid={lettersTestIds.save}>
              {t('common.save')}
            </Button>
          </Box>
        </Box>
      )}
    </Paper>
  );
}
