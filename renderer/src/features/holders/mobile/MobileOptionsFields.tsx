import { useId } from 'react';
import { Box, Checkbox, FormControl, FormControlLabel, FormGroup, FormLabel, InputLabel, MenuItem, Select, Switch, TextField } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { MobileIdOptions } from '@shared/schemas/mobile-id';

export const mobileLabels = ['auth', 'sign', 'enc'] as const;
export type MobileLabelChoice = (typeof mobileLabels)[number];
const deliveries = ['screen', 'email'] as const;

/** The mobile ID options as a form edits them (the days as typed). */
export interface MobileOptionsDraft {
  readonly labels: readonly MobileLabelChoice[];
  readonly days: string;
  readonly delivery: MobileIdOptions['delivery'];
  readonly recoverKey: boolean;
  readonly notify: boolean;
}

export const mobileOptionsTestIds = {
  label: (label: string) => `mobile-id-label-${label}`,
  days: 'mobile-id-days',
  delivery: 'mobile-id-delivery',
  recoverKey: 'mobile-id-recover-key',
  notify: 'mobile-id-notify',
} as const;

export function draftOf(options: MobileIdOptions): MobileOptionsDraft {
  return { labels: options.labels, days: String(options.validityDays), delivery: options.delivery, recoverKey: options.recoverKey, notify: options.notify };
}

export function validDraftDays(draft: MobileOptionsDraft): boolean {
  const days = Number(draft.days);
  return draft.days.trim() !== '' && Number.isInteger(days) && days >= 1 && days <= 3 * 365;
}

/** The options as the channels take them, or null while the draft is not valid. */
export function optionsOf(draft: MobileOptionsDraft): MobileIdOptions | null {
  if (draft.labels.length === 0 || !validDraftDays(draft)) return null;
  return { labels: mobileLabels.filter((label) => draft.labels.includes(label)), validityDays: Number(draft.days), delivery: draft.delivery, recoverKey: draft.recoverKey, notify: draft.notify };
}

/**
 * Which certificates, how long, where the QR code goes, key recovery and holder notices: the
 * issue dialog (prefilled from the issuance policy) and the policy's own defaults both use it.
 * `emailMissing`: the holder has no registered email, so the email delivery is not offered.
 */
export function MobileOptionsFields({ draft, onChange, emailMissing = false, testIdPrefix = '' }: { draft: MobileOptionsDraft; onChange: (draft: MobileOptionsDraft) => void; emailMissing?: boolean; testIdPrefix?: string }) {
  const { t } = useTranslation();
  const deliveryId = useId();
  const validDays = validDraftDays(draft);
  const id = (testId: string): string => `${testIdPrefix}${testId}`;
  const toggle = (label: MobileLabelChoice, on: boolean): void => onChange({ ...draft, labels: on ? [...draft.labels, label] : draft.labels.filter((l) => l !== label) });
  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      <FormControl component="fieldset">
        <FormLabel component="legend">{t('mobile.labelsLegend')}</FormLabel>
        <FormGroup row>
          {mobileLabels.map((label) => (
            <FormControlLabel
              key={label}
              control={<Checkbox checked={draft.labels.includes(label)} onChange={(event) => toggle(label, event.target.checked)} slotProps={{ input: { 'data-testid': id(mobileOptionsTestIds.label(label)) } as never }} />}
              label={t(`mobile.labels.${label}`)}
            />
          ))}
        </FormGroup>
      </FormControl>
      <TextField
        type="number"
        label={t('mobile.days')}
        value={draft.days}
        onChange={(event) => onChange({ ...draft, days: event.target.value })}
        error={!validDays}
        helperText={validDays ? t('mobile.daysHint') : t('mobile.badDays')}
        slotProps={{ htmlInput: { min: 1, max: 3 * 365, 'data-testid': id(mobileOptionsTestIds.days) } }}
        sx={{ width: 240 }}
      />
      <FormControl sx={{ minWidth: 260, maxWidth: 420 }}>
        <InputLabel id={deliveryId}>{t('mobile.delivery')}</InputLabel>
        <Select
          labelId={deliveryId}
          label={t('mobile.delivery')}
          value={draft.delivery}
          onChange={(event) => onChange({ ...draft, delivery: deliveries.find((delivery) => delivery === event.target.value) ?? draft.delivery })}
          data-testid={id(mobileOptionsTestIds.delivery)}
        >
          {deliveries.map((delivery) => (
            <MenuItem key={delivery} value={delivery} disabled={delivery === 'email' && emailMissing} data-testid={id(`${mobileOptionsTestIds.delivery}-${delivery}`)}>
              {t(`mobile.deliveries.${delivery}`)}
            </MenuItem>
          ))}
        </Select>
        {emailMissing ? <FormLabel sx={{ mt: 0.5, fontSize: '0.8rem' }}>{t('mobile.noEmail')}</FormLabel> : null}
      </FormControl>
      <FormGroup>
        <FormControlLabel
          control={<Switch checked={draft.recoverKey} onChange={(event) => onChange({ ...draft, recoverKey: event.target.checked })} slotProps={{ input: { 'data-testid': id(mobileOptionsTestIds.recoverKey) } as never }} />}
          label={t('mobile.recoverKey')}
        />
        <FormControlLabel
          control={<Switch checked={draft.notify} onChange={(event) => onChange({ ...draft, notify: event.target.checked })} slotProps={{ input: { 'data-testid': id(mobileOptionsTestIds.notify) } as never }} />}
          label={t('mobile.notify')}
        />
      </FormGroup>
    </Box>
  );
}
