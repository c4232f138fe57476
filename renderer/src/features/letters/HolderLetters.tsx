import { useEffect, useState } from 'react';
import { Box, Paper, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { LetterSummary } from '@shared/schemas/letters';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { LetterActions } from './LetterActions';
import { lettersTestIds } from './testIds';

/** The holder's letters (newest first), each with its state and what can be done with it. */
export function HolderLetters({ holderId, refresh }: { holderId: string; refresh: unknown }) {
  const { t, i18n } = useTranslation();
  const [letters, setLetters] = useState<LetterSummary[] | null>(null);
  const listing = useCommand(async (id: string) => setLetters(await unwrap(carddesk().letters.list({ holderId: id }))));
  const list = listing.run;
  useEffect(() => {
    void list(holderId);
  }, [list, holderId, refresh]);

  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={lettersTestIds.holderLetters}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('letters.title')}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {t('letters.pinNeverShown')}
      </Typography>
      <CommandError error={listing.error} />
      {letters !== null && letters.length === 0 ? <Typography>{t('letters.none')}</Typography> : null}
      {letters !== null && letters.length > 0 ? (
        <Box sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label={t('letters.title')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('lifecycle.letters.kind')}</TableCell>
                <TableCell>{t('lifecycle.letters.recipient')}</TableCell>
                <TableCell>{t('letters.card')}</TableCell>
                <TableCell>{t('letters.created')}</TableCell>
                <TableCell>{t('letters.state')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {letters.map((letter) => (
                <TableRow key={letter.fileName} data-testid={lettersTestIds.holderLetterRow} data-file={letter.fileName} data-kind={letter.kind}>
                  <TableCell>{t(`lifecycle.letters.kinds.${letter.kind}`)}</TableCell>
                  <TableCell>{t(`lifecycle.recipients.${letter.recipient}`)}</TableCell>
                  <TableCell sx={{ fontFamily: 'monospace' }}>{letter.cardSerial}</TableCell>
                  <TableCell>{new Date(letter.createdAt).toLocaleDateString(i18n.language)}</TableCell>
                  <TableCell>
                    <LetterActions letter={letter} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      ) : null}
    </Paper>
  );
}
