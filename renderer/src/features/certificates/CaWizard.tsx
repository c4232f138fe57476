import { useId, useRef, useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  InputLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Select,
  Step,
  StepLabel,
  Stepper,
  TextField,
  Typography,
} from '@mui/material';
import { useTranslation } from 'react-i18next';
import { caAlgorithms } from '@shared/enums';
import type { CaAlgorithm } from '@shared/schemas/ca';
import { carddesk, unwrap } from '../../api/carddesk';
import { readFileBase64 } from '../../api/download';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { vaultTestIds, useVault } from '../vault';
import { baseUrlProblem, PublicBaseUrlField } from './PublicBaseUrlField';
import { certificatesTestIds } from './testIds';

const algorithms: readonly CaAlgorithm[] = caAlgorithms;

/**
 * The first-run wizard: 1) the vault passphrase (chosen now if the vault is new, else entered to
 * unlock), 2) create a CA or import one from PKCS#12, 3) done. The passphrase fields are
 * uncontrolled and cleared right after the call: it never sits in React state.
 */
export function CaWizard({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const { t } = useTranslation();
  const { status, refresh } = useVault();
  const [step, setStep] = useState(0);
  const [mode, setMode] = useState<'create' | 'import'>('create');
  const [algorithm, setAlgorithm] = useState<CaAlgorithm>('p384');
  const [rootName, setRootName] = useState('CN=CardDesk Root CA, O=CardDesk');
  const [issuingName, setIssuingName] = useState('CN=CardDesk Issuing CA, O=CardDesk');
  const [file, setFile] = useState<File | null>(null);
  const [baseUrl, setBaseUrl] = useState('');
  const [checkBaseUrl, setCheckBaseUrl] = useState(false);
  const [onToken, setOnToken] = useState(false);
  const [tokenModule, setTokenModule] = useState('');
  const [tokenLabel, setTokenLabel] = useState('');
  const tokenPin = useRef<HTMLInputElement>(null);
  // A problem with what was entered; a failed call is the command's error.
  const [failure, setFailure] = useState<string | null>(null);
  const passphrase = useRef<HTMLInputElement>(null);
  const [rootYears, setRootYears] = useState(20);
  const [issuingYears, setIssuingYears] = useState(10);
  const repeat = useRef<HTMLInputElement>(null);
  const p12Password = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const algorithmId = useId();
  const fileId = useId();
  const isNew = status?.initialised !== true;
  const needsPassphrase = isNew || status?.unlocked !== true;

  const submitPassphrase = async (): Promise<void> => {
    const first = passphrase.current?.value ?? '';
    const second = repeat.current?.value ?? '';
    if (passphrase.current !== null) passphrase.current.value = '';
    if (repeat.current !== null) repeat.current.value = '';
    if (isNew) {
      if ([...first].length < 10) return setFailure(t('vault.tooShort'));
      if (first !== second) return setFailure(t('vault.mismatch'));
      await unwrap(carddesk().vault.init({ passphrase: first }));
    } else {
      const result = await unwrap(carddesk().vault.unlock({ passphrase: first }));
      if (!result.ok) return setFailure(t('errors.WRONG_PASSPHRASE'));
    }
    await refresh();
    setFailure(null);
    setStep(1);
  };

  const submitCa = async (): Promise<void> => {
    setCheckBaseUrl(true);
    const problem = baseUrlProblem(baseUrl);
    if (problem !== null) return setFailure(t(problem));
    const publicBaseUrl = baseUrl.trim();
    if (mode === 'create') {
      const pin = tokenPin.current?.value ?? '';
      if (tokenPin.current !== null) tokenPin.current.value = '';
      const pkcs11 = onToken ? { module: tokenModule, tokenLabel, pin } : null;
      await unwrap(carddesk().ca.init({ algorithm, rootSubject: rootName, issuingSubject: issuingName, rootValidityYears: rootYears, issuingValidityYears: issuingYears, publicBaseUrl, pkcs11 }));
    } else {
      if (file === null) return setFailure(t('certificates.wizard.chooseFile'));
      const password = p12Password.current?.value ?? '';
      if (p12Password.current !== null) p12Password.current.value = '';
      await unwrap(carddesk().ca.import({ pkcs12: await readFileBase64(file), password, publicBaseUrl }));
    }
    setFailure(null);
    setStep(2);
    onCreated();
  };

  const submitting = useCommand(() => (step === 0 && needsPassphrase ? submitPassphrase() : submitCa()));
  const busy = submitting.busy;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setFailure(null);
    void submitting.run();
  };

  const current = step === 0 && !needsPassphrase ? 1 : step;
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby={titleId} maxWidth="md" fullWidth data-testid={certificatesTestIds.wizard}>
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{t('certificates.wizard.title')}</DialogTitle>
        <DialogContent>
          <Stepper activeStep={current} sx={{ mb: 3 }}>
            <Step>
              <StepLabel>{t('certificates.wizard.stepVault')}</StepLabel>
            </Step>
            <Step>
              <StepLabel>{t('certificates.wizard.stepCa')}</StepLabel>
            </Step>
            <Step>
              <StepLabel>{t('certificates.wizard.stepDone')}</StepLabel>
            </Step>
          </Stepper>
          {failure !== null ? (
            <Alert severity="error" sx={{ mb: 2 }} data-testid={certificatesTestIds.wizardError}>
              {failure}
            </Alert>
          ) : null}
          <CommandError error={submitting.error} sx={{ mb: 2 }} testId={certificatesTestIds.wizardError} />
          {current === 0 ? (
            <Box sx={{ display: 'grid', gap: 2 }}>
              <Typography>{isNew ? t('certificates.wizard.vaultNew') : t('certificates.wizard.vaultUnlock')}</Typography>
              <TextField inputRef={passphrase} type="password" label={isNew ? t('vault.newPassphrase') : t('vault.passphrase')} autoComplete={isNew ? 'new-password' : 'current-password'} required autoFocus slotProps={{ htmlInput: { 'data-testid': vaultTestIds.passphrase } }} />
              {isNew ? <TextField inputRef={repeat} type="password" label={t('vault.repeatPassphrase')} autoComplete="new-password" required slotProps={{ htmlInput: { 'data-testid': vaultTestIds.passphraseRepeat } }} /> : null}
            </Box>
          ) : null}
          {current === 1 ? (
            <Box sx={{ display: 'grid', gap: 2 }}>
              <RadioGroup row value={mode} onChange={(e) => setMode(e.target.value === 'import' ? 'import' : 'create')} aria-label={t('certificates.wizard.mode')}>
                <FormControlLabel value="create" control={<Radio slotProps={{ input: { 'data-testid': certificatesTestIds.wizardMode('create') } as never }} />} label={t('certificates.wizard.create')} />
                <FormControlLabel value="import" control={<Radio slotProps={{ input: { 'data-testid': certificatesTestIds.wizardMode('import') } as never }} />} label={t('certificates.wizard.import')} />
              </RadioGroup>
              {mode === 'create' ? (
                <>
                  <FormControl>
                    <InputLabel id={algorithmId}>{t('certificates.wizard.algorithm')}</InputLabel>
                    <Select labelId={algorithmId} label={t('certificates.wizard.algorithm')} value={algorithm} onChange={(e) => setAlgorithm(e.target.value)} data-testid={certificatesTestIds.wizardAlgorithm}>
                      {algorithms.map((a) => (
                        <MenuItem key={a} value={a}>
                          {t(`certificates.algorithms.${a}`)}
                        </MenuItem>
                      ))}
                    </Select>
                  </FormControl>
                  <TextField label={t('certificates.wizard.rootName')} value={rootName} onChange={(e) => setRootName(e.target.value)} helperText={t('certificates.wizard.nameHint')} slotProps={{ htmlInput: { 'data-testid': certificatesTestIds.wizardRootName } }} />
                  <TextField label={t('certificates.wizard.issuingName')} value={issuingName} onChange={(e) => setIssuingName(e.target.value)} slotProps={{ htmlInput: { 'data-testid': certificatesTestIds.wizardIssuingName } }} />
                  <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
                    <TextField type="number" label={t('welcome.ca.rootYears')} value={rootYears} onChange={(e) => setRootYears(Math.min(40, Math.max(1, Math.trunc(Number(e.target.value)) || 1)))} slotProps={{ htmlInput: { min: 1, max: 40, 'data-testid': 'ca-wizard-root-years' } }} />
                    <TextField type="number" label={t('welcome.ca.issuingYears')} value={issuingYears} onChange={(e) => setIssuingYears(Math.min(30, Math.max(1, Math.trunc(Number(e.target.value)) || 1)))} slotProps={{ htmlInput: { min: 1, max: 30, 'data-testid': 'ca-wizard-issuing-years' } }} />
                  </Box>
                  <FormControlLabel control={<Checkbox checked={onToken} onChange={(e) => setOnToken(e.target.checked)} />} label={t('certificates.wizard.onToken')} />
                  {onToken ? (
                    <>
                      <Typography color="text.secondary">{t('certificates.wizard.tokenHint')}</Typography>
                      <TextField label={t('certificates.wizard.tokenModule')} value={tokenModule} onChange={(e) => setTokenModule(e.target.value)} required />
                      <TextField label={t('certificates.wizard.tokenLabel')} value={tokenLabel} onChange={(e) => setTokenLabel(e.target.value)} required />
                      <TextField inputRef={tokenPin} type="password" label={t('certificates.wizard.tokenPin')} autoComplete="off" required />
                    </>
                  ) : null}
                </>
              ) : (
                <>
                  <Box>
                    <Button variant="outlined" component="label" htmlFor={fileId}>
                      {t('certificates.wizard.chooseFile')}
                      <input id={fileId} type="file" accept=".p12,.pfx" hidden data-testid={certificatesTestIds.wizardFile} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
                    </Button>
                    <Typography component="span" sx={{ ml: 2 }}>
                      {file?.name ?? ''}
                    </Typography>
                  </Box>
                  <TextField inputRef={p12Password} type="password" label={t('certificates.wizard.p12Password')} autoComplete="off" slotProps={{ htmlInput: { 'data-testid': certificatesTestIds.wizardPassword } }} />
                </>
              )}
              <PublicBaseUrlField value={baseUrl} onChange={setBaseUrl} showProblem={checkBaseUrl} propose />
            </Box>
          ) : null}
          {current === 2 ? <Alert severity="success">{t('certificates.wizard.done')}</Alert> : null}
        </DialogContent>
        <DialogActions>
          {current === 2 ? (
            <Button variant="contained" onClick={onClose}>
              {t('common.close')}
            </Button>
          ) : (
            <>
              <Button onClick={onClose}>{t('common.cancel')}</Button>
              <Button type="submit" variant="contained" disabled={busy} data-testid={current === 0 ? certificatesTestIds.wizardNext : certificatesTestIds.wizardCreate}>
                {current === 0 ? t('certificates.wizard.next') : mode === 'create' ? t('certificates.wizard.createButton') : t('certificates.wizard.importButton')}
              </Button>
            </>
          )}
        </DialogActions>
      </form>
    </Dialog>
  );
}
