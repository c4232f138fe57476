import { useEffect, useId } from 'react';
import { Alert, Box, FormControl, FormHelperText, InputLabel, MenuItem, Select } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { carddesk, unwrap } from '../api/carddesk';
import { useReaders } from '../app/useReaders';
import { readerTestIds } from './testIds';

/** The reader chosen for a workflow and the serial of the card in it (undefined while it is read, null when it has none). */
export interface ChosenReader {
  readonly reader: string | null;
  readonly serial: string | null | undefined;
}

/**
 * The one place an operator picks a reader for a card workflow (issue, renew, replace, resume).
 * Chooses the reader a workflow runs in, among those holding a card, and reads the card's serial,
 * so the operator sees which card will be changed (and is stopped when it is not the one meant).
 */
export function ReaderChooser({ value, onChange, expectedSerial }: { value: ChosenReader; onChange: (next: ChosenReader) => void; expectedSerial: string | null }) {
  const { t } = useTranslation();
  const { readers, loaded } = useReaders();
  const labelId = useId();
  const helperId = useId();
  const withCard = readers.filter((reader) => reader.cardState === 'present');
  const chosen = withCard.find((reader) => reader.name === value.reader);
  const first = withCard[0]?.name ?? null;

  // The first reader holding a card is the natural choice; a reader whose card is gone is dropped.
  useEffect(() => {
    if (chosen === undefined && (value.reader !== first || value.serial !== undefined)) onChange({ reader: first, serial: undefined });
  }, [chosen, first, value.reader, value.serial, onChange]);

  const atr = chosen?.atr ?? null;
  const present = chosen !== undefined;
  const reader = value.reader;
  // Read the card again when another one goes into the chosen reader (its ATR may change).
  useEffect(() => {
    if (reader === null || !present) return;
    let current = true;
    unwrap(carddesk().cards.inspect({ reader }))
      .then((result) => {
        if (current) onChange({ reader, serial: result.ok && result.card.kind === 'piv' ? result.card.serial : null });
      })
      .catch(() => {
        if (current) onChange({ reader, serial: null });
      });
    return () => {
      current = false;
    };
  }, [reader, atr, present, onChange]);

  if (loaded && withCard.length === 0) {
    return (
      <Alert severity="info" data-testid={readerTestIds.card} data-serial="">
        {expectedSerial === null ? t('lifecycle.reader.insertAny') : t('lifecycle.reader.insert', { serial: expectedSerial })}
      </Alert>
    );
  }
  const mismatch = expectedSerial !== null && typeof value.serial === 'string' && value.serial !== expectedSerial;
  return (
    <Box sx={{ display: 'grid', gap: 1 }}>
      <FormControl fullWidth>
        <InputLabel id={labelId}>{t('lifecycle.reader.label')}</InputLabel>
        <Select
          labelId={labelId}
          label={t('lifecycle.reader.label')}
          value={chosen === undefined ? '' : chosen.name}
          onChange={(event) => onChange({ reader: event.target.value, serial: undefined })}
          aria-describedby={helperId}
          data-testid={readerTestIds.select}
        >
          {withCard.map((reader) => (
            <MenuItem key={reader.name} value={reader.name}>
              {reader.name}
            </MenuItem>
          ))}
        </Select>
        <FormHelperText id={helperId} data-testid={readerTestIds.card} data-serial={typeof value.serial === 'string' ? value.serial : ''}>
          {value.serial === undefined ? t('lifecycle.reader.reading') : value.serial === null ? t('lifecycle.reader.noSerial') : t('lifecycle.reader.card', { serial: value.serial })}
        </FormHelperText>
      </FormControl>
      {mismatch ? <Alert severity="warning">{t('lifecycle.reader.wrongCard', { serial: value.serial, expected: expectedSerial })}</Alert> : null}
    </Box>
  );
}
