import { useEffect, useId, useState } from 'react';
import { Alert, Box, FormControl, FormControlLabel, FormLabel, InputLabel, MenuItem, Radio, RadioGroup, Select, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { CardRecord, Holder } from '@shared/schemas/holders';
import type { IssuancePolicy } from '@shared/schemas/lifecycle';
import { carddesk, unwrap } from '../../api/carddesk';
import { HolderPicker } from '../certificates';
import { letterRecipients } from './labels';
import { lifecycleTestIds } from './testIds';

export type Recipient = IssuancePolicy['userNumberRecipient'];

/** The holder a card is personalised for, shown when it is given (from the holder's page). */
function FixedHolder({ holder }: { holder: Holder }) {
  const { t } = useTranslation();
  return (
    <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2 }}>
      <Typography component="dt" color="text.secondary">
        {t('lifecycle.issue.holder')}
      </Typography>
      <Typography component="dd" sx={{ m: 0 }} data-testid={lifecycleTestIds.holderPicker} data-holder-id={holder.id}>
        {`${holder.firstName} ${holder.lastName} (${holder.personalNumber})`}
      </Typography>
    </Box>
  );
}

/**
 * What a new card needs before it is personalised: the holder, who receives the user-number letter
 * (a new card) or which lost card it replaces (a replacement).
 */
export function IssueSetup(props: {
  replacement: boolean;
  holder: Holder | null;
  holderFixed: boolean;
  onHolder: (holder: Holder | null) => void;
  recipient: Recipient;
  onRecipient: (recipient: Recipient) => void;
  lostSerial: string | null;
  lostFixed: boolean;
  onLostSerial: (serial: string | null) => void;
}) {
  const { t } = useTranslation();
  const { holder, replacement, onLostSerial, lostFixed } = props;
  const [lostCards, setLostCards] = useState<CardRecord[] | null>(null);
  const recipientId = useId();
  const lostId = useId();

  // A replacement replaces one of the holder's cards reported lost or stolen.
  const holderId = holder?.id ?? null;
  useEffect(() => {
    if (!replacement || lostFixed || holderId === null) return;
    let current = true;
    unwrap(carddesk().holders.get({ id: holderId }))
      .then(({ cards }) => {
        if (!current) return;
        const lost = cards.filter((card) => card.state === 'lost');
        setLostCards(lost);
        onLostSerial(lost[0]?.serial ?? null);
      })
      .catch(() => current && setLostCards([]));
    return () => {
      current = false;
    };
  }, [replacement, lostFixed, holderId, onLostSerial]);

  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      {props.holderFixed && holder !== null ? (
        <FixedHolder holder={holder} />
      ) : (
        <HolderPicker value={holder} onChange={props.onHolder} activeOnly testId={lifecycleTestIds.holderPicker} />
      )}
      {replacement ? (
        lostFixed ? (
          <Typography data-testid={lifecycleTestIds.lostCard} data-serial={props.lostSerial ?? ''}>
            {t('lifecycle.issue.replaces', { serial: props.lostSerial ?? '' })}
          </Typography>
        ) : holder === null ? null : lostCards !== null && lostCards.length === 0 ? (
          <Alert severity="info">{t('lifecycle.issue.noLostCards')}</Alert>
        ) : (
          <FormControl fullWidth>
            <InputLabel id={lostId}>{t('lifecycle.issue.lostCard')}</InputLabel>
            <Select labelId={lostId} label={t('lifecycle.issue.lostCard')} value={props.lostSerial ?? ''} onChange={(event) => onLostSerial(event.target.value)} data-testid={lifecycleTestIds.lostCard}>
              {(lostCards ?? []).map((card) => (
                <MenuItem key={card.serial} value={card.serial}>
                  {card.serial}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        )
      ) : (
        <FormControl>
          <FormLabel id={recipientId}>{t('lifecycle.issue.recipient')}</FormLabel>
          <RadioGroup aria-labelledby={recipientId} row value={props.recipient} onChange={(event) => props.onRecipient(event.target.value === 'contactPerson' ? 'contactPerson' : 'holder')}>
            {letterRecipients.map((recipient) => (
              <FormControlLabel key={recipient} value={recipient} control={<Radio slotProps={{ input: { 'data-testid': lifecycleTestIds.recipient(recipient) } as object }} />} label={t(`lifecycle.recipients.${recipient}`)} />
            ))}
          </RadioGroup>
          {props.recipient === 'contactPerson' && holder !== null && holder.contactPerson === '' ? (
            <Typography variant="body2" color="text.secondary">
              {t('lifecycle.issue.noContactPerson')}
            </Typography>
          ) : null}
        </FormControl>
      )}
    </Box>
  );
}
