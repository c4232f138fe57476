import { useCallback, useEffect, useId, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { ContractTemplate } from '@shared/schemas/contracts';
import { carddesk, unwrap } from '../../api/carddesk';
import { readFileText } from '../../api/download';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { useVault } from '../vault';
import { settingsTestIds } from './testIds';

type Language = ContractTemplate['language'];
type Problem = { line: number; message: string };

/**
 * The placeholders a contract template may use, in the order an administrator reads them. The
 * services' list (TEMPLATE_PLACEHOLDERS in electron/core/contracts/document/template.ts) decides
 * what is accepted; the contract-templates end-to-end test holds this list to it.
 */
const placeholderNames = [
  'holder.givenName',
  'holder.surname',
  'holder.fullName',
  'holder.personalNumber',
  'holder.userNumber',
  'holder.organisation',
  'card.serial',
  'issuer.organisation',
  'contract.id',
  'contract.date',
  'contract.kind',
  'certificate.serialNumber',
  'certificate.profile',
  'certificate.validFrom',
  'certificate.validUntil',
] as const;

/** The block that repeats its lines once per certificate on the card. */
const CERTIFICATES_BLOCK = '{{#certificates}} … {{/certificates}}';

const mono = { fontFamily: 'monospace', fontSize: '0.875rem' } as const;

/** Hands the text to the browser's download as a UTF-8 .txt file. */
function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The contract templates, one per holder language: see, download, replace (checked by the desk first) and reset. */
export function ContractTemplatesPanel() {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [templates, setTemplates] = useState<ContractTemplate[] | null>(null);
  const [viewing, setViewing] = useState<ContractTemplate | null>(null);
  const [replacing, setReplacing] = useState<ContractTemplate | null>(null);
  const [resetting, setResetting] = useState<ContractTemplate | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [showPlaceholders, setShowPlaceholders] = useState(false);
  const placeholdersId = useId();
  const resetTitleId = useId();

  const languageName = (language: Language): string => t(`settings.templates.languages.${language}`);
  const put = useCallback((next: ContractTemplate) => setTemplates((all) => (all === null ? all : all.map((one) => (one.language === next.language ? next : one)))), []);

  const load = useCommand(async () => setTemplates(await unwrap(carddesk().contracts.templates())));
  const loadTemplates = load.run;
  useEffect(() => {
    void loadTemplates();
  }, [loadTemplates]);

  const resetCommand = useCommand(async (language: Language) => {
    const template = await withUnlocked(() => unwrap(carddesk().contracts.resetTemplate({ language })));
    put(template);
    setResetting(null);
    setMessage(t('settings.templates.resetDone', { language: languageName(language) }));
  });

  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={settingsTestIds.templates}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('settings.templates.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('settings.templates.body')}
      </Typography>
      {message !== null ? (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setMessage(null)} data-testid={settingsTestIds.templateMessage}>
          {message}
        </Alert>
      ) : null}
      <CommandError error={load.error} sx={{ mb: 2 }} onClose={() => load.reset()} />
      {templates !== null ? (
        <Table size="small" aria-label={t('settings.templates.title')} sx={{ mb: 2 }}>
          <TableHead>
            <TableRow>
              <TableCell>{t('settings.templates.language')}</TableCell>
              <TableCell>{t('common.actions')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {templates.map((template) => {
              const name = languageName(template.language);
              return (
                <TableRow key={template.language} data-testid={settingsTestIds.templateRow} data-language={template.language} data-source={template.source}>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    <Typography variant="body2">{name}</Typography>
                    <Chip
                      size="small"
                      sx={{ mt: 0.5 }}
                      variant={template.source === 'custom' ? 'filled' : 'outlined'}
                      color={template.source === 'custom' ? 'primary' : 'default'}
                      label={t(`settings.templates.sources.${template.source}`)}
                      data-testid={settingsTestIds.templateSource}
                    />
                  </TableCell>
                  <TableCell>
                    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5 }}>
                      <Button size="small" onClick={() => setViewing(template)} aria-label={`${t('settings.templates.view')}: ${name}`} data-testid={settingsTestIds.templateView}>
                        {t('settings.templates.view')}
                      </Button>
                      <Button size="small" onClick={() => setReplacing(template)} aria-label={`${t('settings.templates.replace')}: ${name}`} data-testid={settingsTestIds.templateReplace}>
                        {t('settings.templates.replace')}
                      </Button>
                      <Button size="small" onClick={() => downloadText(`contract.${template.language}.txt`, template.text)} aria-label={`${t('settings.templates.download')}: ${name}`} data-testid={settingsTestIds.templateDownload}>
                        {t('settings.templates.download')}
                      </Button>
                      {template.source === 'custom' ? (
                        <Button size="small" color="warning" onClick={() => setResetting(template)} aria-label={`${t('settings.templates.reset')}: ${name}`} data-testid={settingsTestIds.templateReset}>
                          {t('settings.templates.reset')}
                        </Button>
                      ) : null}
                    </Box>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      ) : null}

      <Button size="small" onClick={() => setShowPlaceholders((shown) => !shown)} aria-expanded={showPlaceholders} aria-controls={placeholdersId}>
        {showPlaceholders ? t('settings.templates.hidePlaceholders') : t('settings.templates.showPlaceholders')}
      </Button>
      {showPlaceholders ? <Placeholders id={placeholdersId} /> : null}

      {viewing !== null ? <ViewDialog template={viewing} title={t('settings.templates.viewTitle', { language: languageName(viewing.language) })} onClose={() => setViewing(null)} /> : null}
      {replacing !== null ? (
        <ReplaceDialog
          template={replacing}
          title={t('settings.templates.replaceTitle', { language: languageName(replacing.language) })}
          onClose={() => setReplacing(null)}
          onReplaced={(template) => {
            put(template);
            setReplacing(null);
            setMessage(t('settings.templates.replaced', { language: languageName(template.language) }));
          }}
        />
      ) : null}
      <Dialog
        open={resetting !== null}
        onClose={() => {
          setResetting(null);
          resetCommand.reset();
        }}
        aria-labelledby={resetTitleId}
      >
        <DialogTitle id={resetTitleId}>{t('settings.templates.resetTitle', { language: resetting === null ? '' : languageName(resetting.language) })}</DialogTitle>
        <DialogContent>
          <DialogContentText>{t('settings.templates.resetBody')}</DialogContentText>
          <CommandError error={resetCommand.error} sx={{ mt: 2 }} />
        </DialogContent>
        <DialogActions>
          <Button
            onClick={() => {
              setResetting(null);
              resetCommand.reset();
            }}
          >
            {t('common.cancel')}
          </Button>
          <Button color="warning" variant="contained" disabled={resetCommand.busy} onClick={() => resetting !== null && void resetCommand.run(resetting.language)} data-testid={settingsTestIds.templateResetConfirm}>
            {t('settings.templates.reset')}
          </Button>
        </DialogActions>
      </Dialog>
    </Paper>
  );
}

function Placeholders({ id }: { id: string }) {
  const { t } = useTranslation();
  return (
    <Box id={id} sx={{ mt: 1 }} data-testid={settingsTestIds.templatePlaceholders}>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {t('settings.templates.placeholdersBody')}
      </Typography>
      <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'minmax(0, max-content) 1fr', columnGap: 2, rowGap: 0.5 }}>
        {placeholderNames.map((name) => (
          <Box key={name} sx={{ display: 'contents' }}>
            <Typography component="dt" sx={{ ...mono, wordBreak: 'break-all' }} data-testid={settingsTestIds.templatePlaceholder} data-name={name}>
              {`{{${name}}}`}
            </Typography>
            <Typography component="dd" variant="body2" sx={{ m: 0 }}>
              {t(`settings.templates.placeholders.${name}`)}
            </Typography>
          </Box>
        ))}
        <Typography component="dt" sx={{ ...mono, wordBreak: 'break-all' }}>
          {CERTIFICATES_BLOCK}
        </Typography>
        <Typography component="dd" variant="body2" sx={{ m: 0 }}>
          {t('settings.templates.certificatesBlock')}
        </Typography>
      </Box>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        {t('settings.templates.syntax')}
      </Typography>
    </Box>
  );
}

function ViewDialog({ template, title, onClose }: { template: ContractTemplate; title: string; onClose: () => void }) {
  const { t } = useTranslation();
  const titleId = useId();
  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} maxWidth="md" fullWidth>
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent dividers>
        <Box component="pre" tabIndex={0} aria-label={title} sx={{ ...mono, m: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid={settingsTestIds.templateText}>
          {template.text}
        </Box>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('common.close')}</Button>
      </DialogActions>
    </Dialog>
  );
}

/** Takes a .txt file or edited text; the desk checks it and replaces nothing when it refuses it. */
function ReplaceDialog({ template, title, onClose, onReplaced }: { template: ContractTemplate; title: string; onClose: () => void; onReplaced: (template: ContractTemplate) => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const titleId = useId();
  const fileId = useId();
  const [text, setText] = useState(template.text);
  const [fileName, setFileName] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[] | null>(null);

  const saving = useCommand(async () => {
    const result = await withUnlocked(() => unwrap(carddesk().contracts.setTemplate({ language: template.language, text })));
    if (result.ok) onReplaced(result.template);
    else setProblems(result.problems);
  });

  const choose = async (file: File | undefined): Promise<void> => {
    if (file === undefined) return;
    setText(await readFileText(file));
    setFileName(file.name);
    setProblems(null);
    saving.reset();
  };

  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} maxWidth="md" fullWidth>
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>{t('settings.templates.replaceBody')}</DialogContentText>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap', mb: 2 }}>
          <Button variant="outlined" component="label" htmlFor={fileId} disabled={saving.busy}>
            {t('settings.templates.chooseFile')}
            <input id={fileId} type="file" accept=".txt,text/plain" hidden data-testid={settingsTestIds.templateFile} onChange={(event) => void choose(event.target.files?.[0])} />
          </Button>
          {fileName !== null ? (
            <Typography variant="body2" sx={{ wordBreak: 'break-all' }}>
              {t('settings.templates.fileLoaded', { fileName })}
            </Typography>
          ) : null}
        </Box>
        {problems !== null ? (
          <Alert severity="error" sx={{ mb: 2 }} data-testid={settingsTestIds.templateProblems}>
            <Typography variant="body2" sx={{ mb: 1 }}>
              {t('settings.templates.refused')}
            </Typography>
            <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
              {problems.map((problem, index) => (
                <li key={`${problem.line}-${index}`} data-testid={settingsTestIds.templateProblem} data-line={problem.line}>
                  {t('settings.templates.problemLine', { line: problem.line })} {problem.message}
                </li>
              ))}
            </Box>
          </Alert>
        ) : null}
        <CommandError error={saving.error} sx={{ mb: 2 }} />
        <TextField
          label={t('settings.templates.text')}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setProblems(null);
          }}
          multiline
          minRows={12}
          maxRows={20}
          fullWidth
          slotProps={{ htmlInput: { spellCheck: false, style: mono, 'data-testid': settingsTestIds.templateEditor } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button variant="contained" disabled={saving.busy || text.trim() === ''} onClick={() => void saving.run()} data-testid={settingsTestIds.templateSave}>
          {t('settings.templates.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
