import { Autocomplete, Box, Button, MenuItem, TextField } from '@mui/material';
import { auditOutcomes } from '@shared/enums';
import type { AuditAction, AuditFilter, AuditOperator, AuditOutcome } from '@shared/schemas/audit';
import { dayStart, knownActions, useAuditWords } from './auditFormat';
import { accessHistoryTestIds } from './testIds';
import type { HolderFilter } from './useHolderFilter';

/** The operator's filters as typed: days as the date inputs give them, empty meaning "any". */
export interface FilterState {
  readonly actor: string;
  /** An operator by name (chosen from the suggestions or typed; any part of the name). */
  readonly operator: string;
  readonly holder: string;
  readonly action: AuditAction | '';
  readonly outcome: AuditOutcome | '';
  readonly from: string;
  readonly to: string;
  readonly text: string;
}

export const noFilters: FilterState = { actor: '', operator: '', holder: '', action: '', outcome: '', from: '', to: '', text: '' };

/** The filters as the contract takes them; the "to" day is included; the holder as resolved in the directory. */
export function toAuditFilter(filters: FilterState, holderId: string | undefined): AuditFilter {
  const from = dayStart(filters.from);
  const to = dayStart(filters.to, true);
  const text = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());
  const actor = text(filters.actor);
  const operator = text(filters.operator);
  const search = text(filters.text);
  return {
    ...(actor === undefined ? {} : { actor }),
    ...(operator === undefined ? {} : { operator }),
    ...(holderId === undefined ? {} : { holderId }),
    ...(filters.action === '' ? {} : { actions: [filters.action] }),
    ...(filters.outcome === '' ? {} : { outcome: filters.outcome }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(search === undefined ? {} : { text: search }),
  };
}

export function AuditFilters({ value, onChange, holder, operators }: { value: FilterState; onChange: (next: FilterState) => void; holder: HolderFilter; operators: readonly AuditOperator[] }) {
  const { t, action } = useAuditWords();
  const set = (patch: Partial<FilterState>): void => onChange({ ...value, ...patch });
  const input = (testId: string) => ({ htmlInput: { 'data-testid': testId } });
  return (
    <Box component="form" role="search" aria-label={t('accessHistory.filters.label')} onSubmit={(e) => e.preventDefault()} sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, mb: 2 }}>
      <Autocomplete
        freeSolo
        size="small"
        sx={{ minWidth: 220 }}
        options={[...new Set(operators.map((o) => o.name))].sort((a, b) => a.localeCompare(b))}
        inputValue={value.operator}
        onInputChange={(_event, typed) => set({ operator: typed })}
        renderInput={(params) => (
          <TextField {...params} label={t('accessHistory.filters.operator')} slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, 'data-testid': accessHistoryTestIds.filterOperator } }} />
        )}
      />
      <TextField size="small" label={t('accessHistory.filters.actor')} value={value.actor} onChange={(e) => set({ actor: e.target.value })} slotProps={input(accessHistoryTestIds.filterActor)} />
      <TextField
        size="small"
        sx={{ minWidth: 260 }}
        label={t('accessHistory.filters.holder')}
        placeholder={t('accessHistory.filters.holderHint')}
        value={value.holder}
        onChange={(e) => set({ holder: e.target.value })}
        error={holder.kind === 'ambiguous'}
        helperText={
          holder.kind === 'holder'
            ? `${holder.holder.firstName} ${holder.holder.lastName} (${holder.holder.personalNumber})`
            : holder.kind === 'ambiguous'
              ? t('accessHistory.filters.severalHolders', { count: holder.count })
              : t('accessHistory.filters.holderHint')
        }
        slotProps={{ ...input(accessHistoryTestIds.filterHolder), formHelperText: { 'data-testid': accessHistoryTestIds.filterHolderResolved, 'data-kind': holder.kind } as object }}
      />
      <TextField
        select
        size="small"
        sx={{ minWidth: 220 }}
        label={t('accessHistory.filters.action')}
        value={value.action}
        onChange={(e) => set({ action: e.target.value as FilterState['action'] })}
        slotProps={{ select: { SelectDisplayProps: { 'data-testid': accessHistoryTestIds.filterAction } as object } }}
      >
        <MenuItem value="">{t('accessHistory.filters.anyAction')}</MenuItem>
        {knownActions.map((name) => (
          <MenuItem key={name} value={name} data-action={name}>
            {action(name)}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        size="small"
        sx={{ minWidth: 160 }}
        label={t('accessHistory.filters.outcome')}
        value={value.outcome}
        onChange={(e) => set({ outcome: e.target.value as FilterState['outcome'] })}
        slotProps={{ select: { SelectDisplayProps: { 'data-testid': accessHistoryTestIds.filterOutcome } as object } }}
      >
        <MenuItem value="">{t('accessHistory.filters.anyOutcome')}</MenuItem>
        {auditOutcomes.map((outcome) => (
          <MenuItem key={outcome} value={outcome}>
            {t(`accessHistory.outcomes.${outcome}`)}
          </MenuItem>
        ))}
      </TextField>
      <TextField type="date" size="small" label={t('accessHistory.filters.from')} value={value.from} onChange={(e) => set({ from: e.target.value })} slotProps={{ inputLabel: { shrink: true }, ...input(accessHistoryTestIds.filterFrom) }} />
      <TextField type="date" size="small" label={t('accessHistory.filters.to')} value={value.to} onChange={(e) => set({ to: e.target.value })} slotProps={{ inputLabel: { shrink: true }, ...input(accessHistoryTestIds.filterTo) }} />
      <TextField size="small" type="search" label={t('accessHistory.filters.text')} value={value.text} onChange={(e) => set({ text: e.target.value })} slotProps={input(accessHistoryTestIds.filterText)} />
      <Button onClick={() => onChange(noFilters)} data-testid={accessHistoryTestIds.clearFilters}>
        {t('accessHistory.filters.clear')}
      </Button>
    </Box>
  );
}
