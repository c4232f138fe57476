import { useId, useState, type FormEvent } from 'react';
import { Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, FormControl, InputLabel, MenuItem, Select, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { emptyHolderInput } from '@shared/holder-defaults';
import type { Holder, HolderInput, HolderProblem } from '@shared/schemas/holders';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { addressGroups, holderFormFields, holderLanguages, holderStates } from './holderFields';
import { usersTestIds } from './testIds';

const required = new Set(['personalNumber', 'firstName', 'lastName']);

/**
 * Create or edit a holder; the directory checks every field and each problem shows under its field.
 * Mounted while open, so each opening starts from the holder as it is now.
 */
export function HolderDialog({ holder, onClose, onSaved }: { holder: Holder | null; onClose: () => void; onSaved: (holder: Holder) => void }) {
  const { t } = useTranslation();
  // The holder as last loaded: its version goes with the save, so someone else's newer save makes it a CONFLICT.
  const [loaded, setLoaded] = useState<Holder | null>(holder);
  const [value, setValue] = useState<HolderInput>(holder ?? emptyHolderInput);
  const [problems, setProblems] = useState<HolderProblem[]>([]);
  const save = useCommand(async (input: HolderInput) => {
    const result = await unwrap(loaded === null ? carddesk().holders.create(input) : carddesk().holders.update({ id: loaded.id, version: loaded.version, holder: input }));
    if (result.ok) onSaved(result.holder);
    else setProblems(result.problems);
  });
  // After a conflict: the holder as the other operator left it, in the form, to change again.
  const reload = useCommand(async (id: string) => {
    const { holder: fresh } = await unwrap(carddesk().holders.get({ id }));
    setLoaded(fresh);
    setValue(fresh);
    setProblems([]);
    save.reset();
  });
  const titleId = useId();
  const languageId = useId();
  const stateId = useId();

  const problemOf = (field: keyof HolderInput): string | undefined => {
    const problem = problems.find((p) => p.field === field);
    return problem === undefined ? undefined : t(`users.problems.${problem.code}`);
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const input: HolderInput = {
      personalNumber: value.personalNumber,
      firstName: value.firstName,
      lastName: value.lastName,
      email: value.email,
      mobile: value.mobile,
      organisation: value.organisation,
      contactPerson: value.contactPerson,
      documentNumber: value.documentNumber,
      documentExpiry: value.documentExpiry,
      language: value.language,
      state: value.state,
      street: value.street,
      postcode: value.postcode,
      city: value.city,
      country: value.country,
      contactStreet: value.contactStreet,
      contactPostcode: value.contactPostcode,
      contactCity: value.contactCity,
      contactCountry: value.contactCountry,
    };
    void save.run(input);
  };

  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} maxWidth="md" fullWidth data-testid={usersTestIds.dialog}>
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{holder === null ? t('users.addTitle') : t('users.editTitle')}</DialogTitle>
        <DialogContent>
          <CommandError error={save.error ?? reload.error} sx={{ mb: 2 }} testId={usersTestIds.dialogError} />
          {save.error === 'CONFLICT' && loaded !== null ? (
            <Button onClick={() => void reload.run(loaded.id)} disabled={reload.busy} sx={{ mb: 2 }} data-testid={usersTestIds.reloadAfterConflict}>
              {t('users.reloadAfterConflict')}
            </Button>
          ) : null}
          <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, gap: 2, pt: 1 }}>
            {holderFormFields.map((field) => (
              <TextField
                key={field}
                label={t(`users.fields.${field}`)}
                value={value[field]}
                required={required.has(field)}
                type={field === 'documentExpiry' ? 'date' : field === 'email' ? 'email' : 'text'}
                error={problemOf(field) !== undefined}
                helperText={problemOf(field) ?? (field === 'mobile' ? t('users.mobileHint') : ' ')}
                onChange={(event) => setValue({ ...value, [field]: event.target.value })}
                slotProps={{ htmlInput: { 'data-testid': usersTestIds.field(field) }, inputLabel: field === 'documentExpiry' ? { shrink: true } : {} }}
              />
            ))}
            <FormControl>
              <InputLabel id={languageId}>{t('users.fields.language')}</InputLabel>
              <Select labelId={languageId} label={t('users.fields.language')} value={value.language} onChange={(e) => setValue({ ...value, language: e.target.value })} data-testid={usersTestIds.field('language')}>
                {holderLanguages.map((language) => (
                  <MenuItem key={language} value={language} lang={language}>
                    {t(`language.${language}`)}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <FormControl>
              <InputLabel id={stateId}>{t('users.fields.state')}</InputLabel>
              <Select labelId={stateId} label={t('users.fields.state')} value={value.state} onChange={(e) => setValue({ ...value, state: e.target.value })} data-testid={usersTestIds.field('state')}>
                {holderStates.map((state) => (
                  <MenuItem key={state} value={state}>
                    {t(`users.states.${state}`)}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
          </Box>
          {addressGroups.map(({ title, fields }) => (
            <Box key={title} component="fieldset" sx={{ border: 0, p: 0, m: 0, mt: 2 }}>
              <Typography component="legend" variant="subtitle2" sx={{ mb: 0.5 }}>
                {t(title)}
              </Typography>
              {title === 'users.address' ? (
                <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                  {t('users.addressHint')}
                </Typography>
              ) : null}
              <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '2fr 1fr 2fr 1fr' }, gap: 2 }}>
                {fields.map((field) => (
                  <TextField
                    key={field}
                    label={t(`users.fields.${field}`)}
                    value={value[field]}
                    error={problemOf(field) !== undefined}
                    helperText={problemOf(field) ?? (field === 'country' || field === 'contactCountry' ? t('users.countryHint') : ' ')}
                    onChange={(event) => setValue({ ...value, [field]: event.target.value })}
                    slotProps={{ htmlInput: { 'data-testid': usersTestIds.field(field), ...(field.endsWith('ountry') ? { maxLength: 2 } : {}) } }}
                  />
                ))}
              </Box>
            </Box>
          ))}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={save.busy} data-testid={usersTestIds.save}>
            {t('common.save')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
