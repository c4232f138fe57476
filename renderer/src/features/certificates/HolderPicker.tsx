import { useEffect, useState } from 'react';
import { Autocomplete, Box, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Holder } from '@shared/schemas/holders';
import { carddesk, unwrap } from '../../api/carddesk';
import { matchedFields } from '../holders';
import { certificatesTestIds } from './testIds';

export const describeHolder = (holder: Holder): string => `${holder.lastName}, ${holder.firstName} (${holder.personalNumber})`;

/**
 * Chooses one holder, searching the directory as the operator types (with `activeOnly`, among
 * active holders). Each option says which field matched what was typed (name, personal number,
 * user number, e-mail…), so the operator sees why a holder is offered.
 */
export function HolderPicker({
  value,
  onChange,
  activeOnly = false,
  testId = certificatesTestIds.holderFilter,
  label,
  helperText,
}: {
  value: Holder | null;
  onChange: (holder: Holder | null) => void;
  activeOnly?: boolean;
  testId?: string;
  label?: string;
  helperText?: string;
}) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  const [options, setOptions] = useState<Holder[]>([]);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      unwrap(carddesk().holders.search({ query: text, limit: 20, ...(activeOnly ? { state: 'active' as const } : {}) }))
        .then((found) => current && setOptions(found.items))
        .catch(() => current && setOptions([]));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, activeOnly]);

  return (
    <Autocomplete
      sx={{ minWidth: 260 }}
      options={options}
      value={value}
      filterOptions={(list) => list}
      getOptionLabel={describeHolder}
      renderOption={(props, holder) => {
        const { key, ...rest } = props as typeof props & { key: string };
        const fields = value?.id === holder.id ? [] : matchedFields(holder, text);
        const why = fields.length === 0 ? null : new Intl.ListFormat(i18n.language, { type: 'conjunction' }).format(fields.map((field) => t(`users.fields.${field}`)));
        return (
          <Box component="li" key={key} {...rest} data-holder-id={holder.id} data-matched={fields.join(' ')} sx={{ display: 'block !important' }}>
            <Typography component="span" sx={{ display: 'block' }}>
              {describeHolder(holder)}
            </Typography>
            {why === null ? null : (
              <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }}>
                {t('users.picker.matched', { fields: why })}
              </Typography>
            )}
          </Box>
        );
      }}
      isOptionEqualToValue={(option, chosen) => option.id === chosen.id}
      onChange={(_event, holder) => onChange(holder)}
      onInputChange={(_event, typed) => setText(typed)}
      noOptionsText={t('certificates.noHolders')}
      renderInput={(params) => (
        <TextField
          {...params}
          label={label ?? t('certificates.fields.holder')}
          {...(helperText === undefined ? {} : { helperText })}
          slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, 'data-testid': testId } }}
        />
      )}
    />
  );
}
