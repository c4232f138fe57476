import { useState } from 'react';
import { Alert, Button, Checkbox, FormControlLabel, Paper, Radio, RadioGroup, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { cardRevocationReasons } from '@shared/enums';

export type RevocationReason = (typeof cardRevocationReasons)[number];
const big = { minHeight: 72, fontSize: '1.25rem', px: 4 } as const;

/**
 * The first step of a revocation at the kiosk (the card's or a mobile ID's): why, and "this cannot
 * be undone" ticked, before the step that proves it is the holder (code, PIN).
 */
export function RevokeChoice({
  intro,
  understand,
  next,
  idPrefix,
  testIds,
  reason,
  onReason,
  onNext,
}: {
  intro: string;
  understand: string;
  next: string;
  /** Makes the reasons' heading id unique on the page. */
  idPrefix: string;
  testIds: { readonly revokeReason: (reason: string) => string; readonly revokeUnderstand: string; readonly revokeNext: string };
  reason: RevocationReason;
  onReason: (reason: RevocationReason) => void;
  onNext: () => void;
}) {
  const { t } = useTranslation();
  const [understood, setUnderstood] = useState(false);
  const headingId = `${idPrefix}-revoke-reason`;
  return (
    <>
      <Alert severity="error" sx={{ fontSize: '1.15rem' }}>
        {intro}
      </Alert>
      <Typography variant="h6" component="h2" id={headingId}>
        {t('kiosk.revoke.reason')}
      </Typography>
      <RadioGroup aria-labelledby={headingId} value={reason} onChange={(event) => onReason(event.target.value as RevocationReason)} sx={{ gap: 1 }}>
        {cardRevocationReasons.map((name) => (
          <Paper key={name} variant="outlined" sx={{ px: 2 }}>
            <FormControlLabel
              value={name}
              control={<Radio slotProps={{ input: { 'data-testid': testIds.revokeReason(name) } as object }} />}
              label={<Typography variant="h6" component="span">{t(`certificates.reasons.${name}`)}</Typography>}
              sx={{ minHeight: 64, width: '100%', m: 0 }}
            />
          </Paper>
        ))}
      </RadioGroup>
      <Paper variant="outlined" sx={{ px: 2, borderColor: 'error.main', borderWidth: 2 }}>
        <FormControlLabel
          control={<Checkbox checked={understood} onChange={(event) => setUnderstood(event.target.checked)} slotProps={{ input: { 'data-testid': testIds.revokeUnderstand } as object }} />}
          label={<Typography variant="h6" component="span">{understand}</Typography>}
          sx={{ minHeight: 72, width: '100%', m: 0 }}
        />
      </Paper>
      <Button variant="contained" color="error" sx={big} disabled={!understood} data-testid={testIds.revokeNext} onClick={onNext}>
        {next}
      </Button>
    </>
  );
}
