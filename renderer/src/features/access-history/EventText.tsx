import { Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '@shared/schemas/audit';
import { eventSentences } from './eventText';
import { accessHistoryTestIds } from './testIds';

/** An event in sentences: what happened, why (or how), and its details. */
export function EventText({ entry }: { entry: AuditEntry }) {
  const { t, i18n } = useTranslation();
  const { what, why, details } = eventSentences(t, i18n, entry);
  return (
    <span data-testid={accessHistoryTestIds.eventText}>
      {what === null ? null : (
        <Typography variant="body2" component="span" sx={{ display: 'block' }}>
          {what}
        </Typography>
      )}
      {why === null ? null : (
        <Typography variant="body2" component="span" sx={{ display: 'block' }}>
          {why}
        </Typography>
      )}
      {details.length === 0 ? null : (
        <Typography variant="body2" component="span" color="text.secondary" sx={{ display: 'block' }}>
          {details.join(' ')}
        </Typography>
      )}
    </span>
  );
}
