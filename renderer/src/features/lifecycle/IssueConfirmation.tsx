import { useEffect, useState } from 'react';
import { Alert, Box, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Holder } from '@shared/schemas/holders';
import { carddesk, unwrap } from '../../api/carddesk';
import { lifecycleTestIds } from './testIds';

/**
 * The last look before a card is personalised: who it is for (name, personal number, user number,
 * identity document — no photo) and which card (its serial, read from the reader now).
 */
export function IssueConfirmation({ holder, reader, lostSerial }: { holder: Holder; reader: string; lostSerial: string | null }) {
  const { t } = useTranslation();
  const [serial, setSerial] = useState<{ reader: string; serial: string | null } | null>(null);

  useEffect(() => {
    let current = true;
    unwrap(carddesk().cards.inspect({ reader }))
      .then((result) => current && setSerial({ reader, serial: result.ok && result.card.kind === 'piv' ? result.card.serial : null }))
      .catch(() => current && setSerial({ reader, serial: null }));
    return () => {
      current = false;
    };
  }, [reader]);

  const shown = serial?.reader === reader ? serial : null;
  const document = holder.documentNumber === '' ? '—' : holder.documentExpiry === '' ? holder.documentNumber : t('lifecycle.confirm.document', { number: holder.documentNumber, expiry: holder.documentExpiry });
  const rows: [string, string, string][] = [
    ['name', t('lifecycle.confirm.name'), `${holder.firstName} ${holder.lastName}`],
    ['personalNumber', t('users.fields.personalNumber'), holder.personalNumber],
    ['userNumber', t('users.fields.userNumber'), holder.userNumber],
    ['document', t('users.fields.documentNumber'), document],
    ['organisation', t('users.fields.organisation'), holder.organisation === '' ? '—' : holder.organisation],
    ['email', t('users.fields.email'), holder.email === '' ? '—' : holder.email],
    ['serial', t('lifecycle.confirm.serial'), shown === null ? '…' : (shown.serial ?? t('lifecycle.confirm.noSerial'))],
  ];
  return (
    <Box data-testid={lifecycleTestIds.confirmation} data-holder-id={holder.id} data-serial={shown?.serial ?? ''} sx={{ display: 'grid', gap: 2 }}>
      <Alert severity="warning">{lostSerial === null ? t('lifecycle.confirm.question') : t('lifecycle.confirm.questionReplace', { serial: lostSerial })}</Alert>
      <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2, rowGap: 0.5 }}>
        {rows.map(([key, label, value]) => (
          <Box key={key} sx={{ display: 'contents' }}>
            <Typography component="dt" color="text.secondary">
              {label}
            </Typography>
            <Typography component="dd" sx={{ m: 0, fontWeight: 500 }} data-testid={lifecycleTestIds.confirmField(key)}>
              {value}
            </Typography>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
