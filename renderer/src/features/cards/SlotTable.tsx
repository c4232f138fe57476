import { Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../i18n/format';
import type { PivSlotSummary } from '@shared/schemas/cards';
import { cardsTestIds } from './testIds';

const algorithmLabels: Record<string, string> = { rsa2048: 'RSA 2048', rsa3072: 'RSA 3072', rsa4096: 'RSA 4096', eccp256: 'EC P-256', eccp384: 'EC P-384' };

export function SlotTable({ slots }: { slots: readonly PivSlotSummary[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const date = (iso: string): string => format.date(iso, 'long');
  return (
    <TableContainer>
      <Table size="small" aria-label={t('cards.slots.title')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('cards.slots.slot')}</TableCell>
            <TableCell>{t('cards.slots.purpose')}</TableCell>
            <TableCell>{t('cards.slots.key')}</TableCell>
            <TableCell>{t('cards.slots.certificate')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {slots.map((slot) => (
            <TableRow key={slot.slot} data-testid={cardsTestIds.slotRow(slot.slot)}>
              <TableCell sx={{ fontFamily: 'monospace' }}>{slot.slot}</TableCell>
              <TableCell>{t(`cards.slots.name.${slot.name}`)}</TableCell>
              <TableCell>
                {slot.key === null ? (
                  <Typography variant="body2" color="text.secondary">
                    {t('cards.slots.noKey')}
                  </Typography>
                ) : (
                  <>
                    <Typography variant="body2">{slot.key.algorithm === null ? t('cards.detail.unknown') : algorithmLabels[slot.key.algorithm]}</Typography>
                    <Typography variant="body2" color="text.secondary">
                      {t(`cards.slots.origin.${slot.key.origin}`)} · {t(`cards.slots.pinPolicy.${slot.key.pinPolicy}`)}
                    </Typography>
                  </>
                )}
              </TableCell>
              <TableCell>
                {slot.certificate === null ? (
                  <Typography variant="body2" color="text.secondary">
                    {t('cards.slots.noCertificate')}
                  </Typography>
                ) : (
                  <>
                    <Typography variant="body2">{slot.certificate.subject}</Typography>
                    <Typography variant="body2" color="text.secondary">
                      {t('cards.slots.issuer', { issuer: slot.certificate.issuer })} · {slot.certificate.keyType}
                    </Typography>
                    <Typography variant="body2" color="text.secondary">
                      {t('cards.slots.validUntil', { date: date(slot.certificate.notAfter) })}
                    </Typography>
                  </>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
