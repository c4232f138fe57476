import { useEffect, useId, useState, type FormEvent } from 'react';
import { Alert, Box, Button, FormControl, FormControlLabel, InputLabel, MenuItem, Paper, Select, Switch, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { activationModes } from '@shared/enums';
import type { IssuancePolicy } from '@shared/schemas/lifecycle';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { keyAlgorithms, keyRoles, letterRecipients, lifecycleTestIds } from '../lifecycle';
import { useVault } from '../vault';
import { draftOf, MobileOptionsFields, optionsOf, type MobileOptionsDraft } from '../holders';

const pinLengths = [6, 7, 8] as const;
const tries = Array.from({ length: 15 }, (_, index) => index + 1);

function NumberSelect({ label, value, choices, onChange, testId }: { label: string; value: number; choices: readonly number[]; onChange: (value: number) => void; testId: string }) {
  const id = useId();
  return (
    <FormControl sx={{ minWidth: 160 }}>
      <InputLabel id={id}>{label}</InputLabel>
      <Select labelId={id} label={label} value={value} onChange={(event) => onChange(Number(event.target.value))} data-testid={testId}>
        {choices.map((choice) => (
          <MenuItem key={choice} value={choice}>
            {choice}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/** The policy every new card is personalised with, edited here (and in the welcome flow) and saved in the vault. */
export function PolicyForm({ initial, onSaved }: { initial: IssuancePolicy; onSaved?: (policy: IssuancePolicy) => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const [policy, setPolicy] = useState<IssuancePolicy>(initial);
  const [saved, setSaved] = useState(false);
  const recipientId = useId();
  const activationId = useId();
  // The mobile ID defaults (issue 16); a policy from before them has none until the channel fills them.
  const [mobileDraft, setMobileDraft] = useState<MobileOptionsDraft | null>(initial.mobileId === undefined ? null : draftOf(initial.mobileId));
  const mobileOptions = mobileDraft === null ? undefined : optionsOf(mobileDraft);
  const senderInvalid = policy.letterSender.trim() === '' || policy.letterSender.length > 200 || mobileOptions === null;

  const saving = useCommand(async () => {
    const next = await withUnlocked(() => unwrap(carddesk().cards.updatePolicy({ ...policy, letterSender: policy.letterSender.trim(), ...(mobileOptions === undefined || mobileOptions === null ? {} : { mobileId: mobileOptions }) })));
    setPolicy(next);
    if (next.mobileId !== undefined) setMobileDraft(draftOf(next.mobileId));
    setSaved(true);
    onSaved?.(next);
  });
  const busy = saving.busy;

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (senderInvalid || busy) return;
    setSaved(false);
    void saving.run();
  };

  return (
    <Box component="form" onSubmit={submit} noValidate sx={{ display: 'grid', gap: 3 }}>
      <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
        <Typography component="legend" variant="subtitle1" sx={{ mb: 1.5 }}>
          {t('lifecycle.policy.pinAndPuk')}
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
          <NumberSelect label={t('lifecycle.policy.pinLength')} value={policy.pinLength} choices={pinLengths} onChange={(pinLength) => setPolicy({ ...policy, pinLength })} testId={lifecycleTestIds.policyField('pinLength')} />
          <NumberSelect label={t('cards.fields.pinTries')} value={policy.pinTries} choices={tries} onChange={(pinTries) => setPolicy({ ...policy, pinTries })} testId={lifecycleTestIds.policyField('pinTries')} />
          <NumberSelect label={t('cards.fields.pukTries')} value={policy.pukTries} choices={tries} onChange={(pukTries) => setPolicy({ ...policy, pukTries })} testId={lifecycleTestIds.policyField('pukTries')} />
        </Box>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          {t('lifecycle.policy.pinHint')}
        </Typography>
      </Box>
      <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
        <Typography component="legend" variant="subtitle1" sx={{ mb: 1.5 }}>
          {t('lifecycle.policy.keys')}
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
          {keyRoles.map((role) => (
            <KeySelect key={role} role={role} value={policy.keys[role]} onChange={(algorithm) => setPolicy({ ...policy, keys: { ...policy.keys, [role]: algorithm } })} />
          ))}
        </Box>
        <FormControlLabel
          sx={{ mt: 1 }}
          control={<Switch checked={policy.escrowEncryptionKeys} onChange={(event) => setPolicy({ ...policy, escrowEncryptionKeys: event.target.checked })} slotProps={{ input: { 'data-testid': lifecycleTestIds.policyField('escrow') } as object }} />}
          label={t('lifecycle.policy.escrow')}
        />
        <Typography variant="body2" color="text.secondary">
          {t('lifecycle.policy.escrowHint')}
        </Typography>
        <FormControl sx={{ mt: 2, minWidth: 300, maxWidth: '100%' }}>
          <InputLabel id={activationId}>{t('lifecycle.policy.activation')}</InputLabel>
          <Select
            labelId={activationId}
            label={t('lifecycle.policy.activation')}
            value={policy.activation}
            onChange={(event) => setPolicy({ ...policy, activation: activationModes.find((mode) => mode === event.target.value) ?? policy.activation })}
            data-testid={lifecycleTestIds.policyField('activation')}
          >
            {activationModes.map((mode) => (
              <MenuItem key={mode} value={mode}>
                {t(`lifecycle.policy.activationModes.${mode}`)}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          {t('lifecycle.policy.activationHint')}
        </Typography>
      </Box>
      {mobileDraft === null ? null : (
        <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }} data-testid={lifecycleTestIds.policyField('mobile')}>
          <Typography component="legend" variant="subtitle1" sx={{ mb: 1.5 }}>
            {t('lifecycle.policy.mobile')}
          </Typography>
          <MobileOptionsFields draft={mobileDraft} onChange={setMobileDraft} testIdPrefix="policy-" />
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {t('lifecycle.policy.mobileHint')}
          </Typography>
        </Box>
      )}
      <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
        <Typography component="legend" variant="subtitle1" sx={{ mb: 1.5 }}>
          {t('lifecycle.policy.letters')}
        </Typography>
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
          <FormControl sx={{ minWidth: 260 }}>
            <InputLabel id={recipientId}>{t('lifecycle.issue.recipient')}</InputLabel>
            <Select
              labelId={recipientId}
              label={t('lifecycle.issue.recipient')}
              value={policy.userNumberRecipient}
              onChange={(event) => setPolicy({ ...policy, userNumberRecipient: event.target.value === 'contactPerson' ? 'contactPerson' : 'holder' })}
              data-testid={lifecycleTestIds.policyField('recipient')}
            >
              {letterRecipients.map((recipient) => (
                <MenuItem key={recipient} value={recipient}>
                  {t(`lifecycle.recipients.${recipient}`)}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <TextField
            sx={{ minWidth: 300, flexGrow: 1 }}
            label={t('lifecycle.policy.sender')}
            value={policy.letterSender}
            onChange={(event) => setPolicy({ ...policy, letterSender: event.target.value })}
            error={senderInvalid}
            helperText={senderInvalid ? t('lifecycle.policy.senderInvalid') : t('lifecycle.policy.senderHint')}
            slotProps={{ htmlInput: { maxLength: 200, 'data-testid': lifecycleTestIds.policyField('sender') } }}
          />
        </Box>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          {t('lifecycle.policy.lettersHint')}
        </Typography>
      </Box>
      {saved ? (
        <Alert severity="success" onClose={() => setSaved(false)} data-testid={lifecycleTestIds.policyMessage}>
          {t('lifecycle.policy.saved')}
        </Alert>
      ) : null}
      <CommandError error={saving.error} onClose={saving.reset} testId={lifecycleTestIds.policyMessage} />
      <Box>
        <Button type="submit" variant="contained" disabled={busy || senderInvalid} data-testid={lifecycleTestIds.policySave}>
          {t('common.save')}
        </Button>
      </Box>
    </Box>
  );
}

function KeySelect({ role, value, onChange }: { role: (typeof keyRoles)[number]; value: IssuancePolicy['keys'][typeof role]; onChange: (algorithm: IssuancePolicy['keys'][typeof role]) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const label = t(`lifecycle.policy.key.${role}`);
  return (
    <FormControl sx={{ minWidth: 220 }}>
      <InputLabel id={id}>{label}</InputLabel>
      <Select labelId={id} label={label} value={value} onChange={(event) => onChange(keyAlgorithms.find((algorithm) => algorithm === event.target.value) ?? value)} data-testid={lifecycleTestIds.policyField(`key-${role}`)}>
        {keyAlgorithms.map((algorithm) => (
          <MenuItem key={algorithm} value={algorithm}>
            {t(`lifecycle.algorithms.${algorithm}`)}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/** Settings → the issuance policy (PIN length and tries, key algorithms, escrow, letters). */
export function IssuancePolicyPanel() {
  const { t } = useTranslation();
  const { status } = useVault();
  const [policy, setPolicy] = useState<IssuancePolicy | null>(null);
  const initialised = status?.initialised === true;
  const load = useCommand(async () => setPolicy(await unwrap(carddesk().cards.policy())));
  const loadPolicy = load.run;

  useEffect(() => {
    if (initialised) void loadPolicy();
  }, [initialised, loadPolicy]);

  if (!initialised) return null;
  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={lifecycleTestIds.policy} component="section" aria-labelledby="issuance-policy-title">
      <Typography variant="h6" component="h2" id="issuance-policy-title" sx={{ mb: 1 }}>
        {t('lifecycle.policy.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('lifecycle.policy.intro')}
      </Typography>
      <CommandError error={load.error} />
      {policy !== null ? <PolicyForm initial={policy} /> : null}
    </Paper>
  );
}
