import { Chip, Link, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { AuditEntry } from '@shared/schemas/audit';
import { useAuditWords } from './auditFormat';
import { accessHistoryTestIds } from './testIds';

function details(entry: AuditEntry): string {
  return Object.entries(entry.details)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(', ');
}

/** Events, newest first; a holder opens that holder's own history. */
export function AuditTable({ entries, onHolder }: { entries: readonly AuditEntry[]; onHolder: (holderId: string) => void }) {
  const { t, action, time, actor } = useAuditWords();
  return (
    <Table size="small" aria-label={t('accessHistory.tableLabel')} data-testid={accessHistoryTestIds.table}>
      <TableHead>
        <TableRow>
          <TableCell>{t('accessHistory.columns.seq')}</TableCell>
          <TableCell>{t('accessHistory.columns.time')}</TableCell>
          <TableCell>{t('accessHistory.columns.action')}</TableCell>
          <TableCell>{t('accessHistory.columns.outcome')}</TableCell>
          <TableCell>{t('accessHistory.columns.actor')}</TableCell>
          <TableCell>{t('accessHistory.columns.holder')}</TableCell>
          <TableCell>{t('accessHistory.columns.card')}</TableCell>
          <TableCell>{t('accessHistory.columns.channel')}</TableCell>
          <TableCell>{t('accessHistory.columns.details')}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {entries.map((entry) => (
          <TableRow key={entry.seq} data-testid={accessHistoryTestIds.row} data-seq={entry.seq} data-action={entry.action} data-outcome={entry.outcome} data-holder={entry.holderId ?? ''} data-actor={entry.actor.id}>
            <TableCell>{entry.seq}</TableCell>
            <TableCell sx={{ whiteSpace: 'nowrap' }}>{time(entry.time)}</TableCell>
            <TableCell>{action(entry.action)}</TableCell>
            <TableCell>
              <Chip size="small" variant="outlined" color={entry.outcome === 'success' ? 'success' : 'error'} label={t(`accessHistory.outcomes.${entry.outcome}`)} />
            </TableCell>
            <TableCell>{actor(entry)}</TableCell>
            <TableCell>
              {entry.holderId === null ? null : (
                <Link component="button" type="button" onClick={() => onHolder(entry.holderId ?? '')} data-testid={accessHistoryTestIds.holderLink}>
                  {entry.holderId}
                </Link>
              )}
            </TableCell>
            <TableCell sx={{ fontFamily: 'monospace' }}>{entry.cardSerial ?? entry.certificateSerial ?? ''}</TableCell>
            <TableCell>{t(`accessHistory.channels.${entry.channel}`)}</TableCell>
            <TableCell>
              {entry.reason === null ? null : <Typography variant="body2">{entry.reason}</Typography>}
              <Typography variant="body2" color="text.secondary">
                {details(entry)}
              </Typography>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
