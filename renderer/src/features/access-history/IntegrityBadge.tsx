import { useCallback, useEffect, useState } from 'react';
import { Alert, Box, Button, Chip, CircularProgress, List, ListItem, Typography } from '@mui/material';
import GppBadIcon from '@mui/icons-material/GppBad';
import GppMaybeIcon from '@mui/icons-material/GppMaybe';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';
import type { AuditVerifyReport } from '@shared/schemas/audit';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { useVault } from '../vault';
import { useFormat } from '../../i18n/format';
import { useAuditWords } from './auditFormat';
import { accessHistoryTestIds } from './testIds';

const SHOWN_PROBLEMS = 5;

/**
 * Whether the log is as written: the last verification's result (a first one runs when there is
 * none yet), with the problems it found and a button to check again. Every check is recorded.
 * A log found lost (it lacks the record the vault anchored) has its own state, which stays until
 * an administrator acknowledges the loss here (asked to unlock the vault first; recorded).
 */
export function IntegrityBadge() {
  const { t, time } = useAuditWords();
  const format = useFormat();
  const [report, setReport] = useState<AuditVerifyReport | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);
  const { withUnlocked } = useVault();

  const verifying = useCommand(async () => setReport(await unwrap(carddesk().audit.verify())));
  const verify = verifying.run;
  const check = useCallback(() => void verify(), [verify]);

  // The last verification's result; a first one runs when there is none yet.
  const opening = useCommand(async () => {
    const last = await unwrap(carddesk().audit.integrity());
    if (last === null) check();
    else setReport(last);
  });
  const open = opening.run;
  useEffect(() => {
    void open();
  }, [open]);

  const acknowledging = useCommand(async () => {
    setReport(await withUnlocked(() => unwrap(carddesk().audit.acknowledgeLoss())));
    setAcknowledged(true);
  });
  const acknowledge = (): void => {
    verifying.reset();
    void acknowledging.run();
  };
  const recheck = (): void => {
    opening.reset();
    acknowledging.reset();
    check();
  };

  const checking = verifying.busy || acknowledging.busy;
  const failure = opening.error ?? verifying.error ?? acknowledging.error;
  const lost = report?.problems.some((problem) => problem.kind === 'lost') ?? false;
  const state = checking ? 'checking' : report === null ? 'unknown' : report.intact ? 'intact' : lost ? 'lost' : 'tampered';
  return (
    <Box data-testid={accessHistoryTestIds.integrity} data-state={state} data-records={report?.records ?? ''} sx={{ mb: 2 }}>
      <Box role="status" sx={{ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: 1.5 }}>
        {state === 'checking' ? (
          <Chip icon={<CircularProgress size={16} aria-hidden />} label={t('accessHistory.integrity.checking')} variant="outlined" />
        ) : state === 'intact' ? (
          <Chip color="success" icon={<VerifiedUserIcon aria-hidden />} label={t('accessHistory.integrity.intact', { records: format.number(report?.records ?? 0) })} />
        ) : state === 'lost' ? (
          <Chip color="error" icon={<GppMaybeIcon aria-hidden />} label={t('accessHistory.integrity.lost')} />
        ) : state === 'tampered' ? (
          <Chip color="error" icon={<GppBadIcon aria-hidden />} label={t('accessHistory.integrity.tampered', { count: report?.problemCount ?? 0 })} />
        ) : (
          <Chip variant="outlined" label={t('accessHistory.integrity.unknown')} />
        )}
        {report !== null && !checking ? (
          <Typography variant="body2" color="text.secondary">
            {t('accessHistory.integrity.checked', { time: time(report.checkedAt), records: format.number(report.records), signed: report.signedThrough ?? 0 })}
          </Typography>
        ) : null}
        {report !== null && !checking && report.unsigned > 0 ? (
          <Typography variant="body2" color="text.secondary" data-testid={accessHistoryTestIds.unsigned}>
            {t('accessHistory.integrity.unsigned', { count: report.unsigned })}
          </Typography>
        ) : null}
        <Button size="small" onClick={recheck} disabled={checking} data-testid={accessHistoryTestIds.recheck}>
          {t('accessHistory.integrity.recheck')}
        </Button>
      </Box>
      {state === 'lost' ? (
        <Alert
          severity="warning"
          sx={{ mt: 1 }}
          action={
            <Button color="inherit" size="small" onClick={acknowledge} data-testid={accessHistoryTestIds.acknowledgeLoss}>
              {t('accessHistory.integrity.acknowledge')}
            </Button>
          }
        >
          {t('accessHistory.integrity.lostExplain')}
        </Alert>
      ) : null}
      {acknowledged && state === 'intact' ? (
        <Alert severity="info" sx={{ mt: 1 }} data-testid={accessHistoryTestIds.lossAcknowledged}>
          {t('accessHistory.integrity.acknowledged')}
        </Alert>
      ) : null}
      <CommandError error={failure} sx={{ mt: 1 }} />
      {report !== null && !report.intact && !checking ? (
        <Alert severity="error" sx={{ mt: 1 }}>
          <List dense disablePadding aria-label={t('accessHistory.integrity.problemsLabel')}>
            {report.problems.slice(0, SHOWN_PROBLEMS).map((problem) => (
              <ListItem key={`${problem.kind}-${problem.segment}-${problem.line}`} disableGutters data-testid={accessHistoryTestIds.problem} data-kind={problem.kind}>
                {t(`accessHistory.integrity.kinds.${problem.kind}`, { seq: problem.seq ?? '?', toSeq: problem.toSeq ?? problem.seq ?? '?' })}{' '}
                {problem.segment === null ? '' : t('accessHistory.integrity.where', { segment: problem.segment, line: problem.line ?? '?' })}
              </ListItem>
            ))}
            {report.problemCount > SHOWN_PROBLEMS ? <ListItem disableGutters>{t('accessHistory.integrity.more', { count: report.problemCount - SHOWN_PROBLEMS })}</ListItem> : null}
          </List>
        </Alert>
      ) : null}
    </Box>
  );
}
