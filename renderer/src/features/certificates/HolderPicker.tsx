import { useEffect, useState } from 'react';
import { Autocomplete, TextField } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Holder } from '@shared/schemas/holders';
import { carddesk, unwrap } from '../../api/carddesk';
import { certificatesTestIds } from './testIds';

const describe = (holder: Holder): string => `${holder.lastName}, ${holder.firstName} (${holder.personalNumber})`;

/** Chooses one holder, searching the directory as the operator types (with `activeOnly`, among active holders). */
export function HolderPicker({ value, onChange, activeOnly = false, testId = certificatesTestIds.holderFilter }: { value: Holder | null; onChange: (holder: Holder | null) => void; activeOnly?: boolean; testId?: string }) {
  const { t } = useTranslation();
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
      getOptionLabel={describe}
      isOptionEqualToValue={(option, chosen) => option.id === chosen.id}
      onChange={(_event, holder) => onChange(holder)}
      onInputChange={(_event, typed) => setText(typed)}
      noOptionsText={t('certificates.noHolders')}
      renderInput={(params) => (
        <TextField
          {...params}
          label={t('certificates.fields.holder')}
          slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, 'data-testid': testId } }}
        />
      )}
    />
  );
}
