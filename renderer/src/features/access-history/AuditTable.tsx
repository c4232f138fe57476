import { Chip, Link, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import type { AuditEntry, AuditOperator } from '@shared/schemas/audit';
import { useAuditWords } from './auditFormat';
import { EventText } from './EventText';
import { accessHistoryTestIds } from './testIds';
import { useHolderNames } from './useHolderNames';

/** Events, newest first; a holder opens that holder's own history; an operator is named, with the operator card they used. */
export function AuditTable({ entries, onHolder, operators = [] }: { entries: readonly AuditEntry[]; onHolder: (holderId: string) => void; operators?: readonly AuditOperator[] }) {
  const { t, action, time, actor } = useAuditWords();
  const operatorName = new Map(operators.map((o) => [o.id, o.name]));
  const actorText = (entry: AuditEntry): string => {
    const name = entry.actor.kind === 'operator' ? operatorName.get(entry.actor.id) : undefined;
    if (name === undefined) return actor(entry);
    const card = entry.details['operatorCard'];
    return typeof card === 'string' ? t('accessHistory.operatorWithCard', { name, card }) : t('accessHistory.operatorNamed', { name });
  };
  const holderName = useHolderNames(entries.map((entry) => entry.holderId));
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
            <TableCell data-testid={accessHistoryTestIds.actorCell}>{actorText(entry)}</TableCell>
            <TableCell>
              {entry.holderId === null ? null : (
                <Link component="button" type="button" onClick={() => onHolder(entry.holderId ?? '')} data-testid={accessHistoryTestIds.holderLink}>
                  {holderName(entry.holderId ?? '') ?? (holderName(entry.holderId ?? '') === null ? t('accessHistory.unknownHolder') : '…')}
                </Link>
              )}
            </TableCell>
            <TableCell sx={{ fontFamily: 'monospace' }}>{entry.cardSerial ?? entry.certificateSerial ?? ''}</TableCell>
            <TableCell>{t(`accessHistory.channels.${entry.channel}`)}</TableCell>
            <TableCell>
              <EventText entry={entry} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
