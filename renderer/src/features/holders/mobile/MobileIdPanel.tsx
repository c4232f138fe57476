import { useCallback, useEffect, useId, useState } from 'react';
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  InputLabel,
  MenuItem,
  Paper,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Holder } from '@shared/schemas/holders';
import type { MobileIdOptions, MobileIdQr, MobileIdState, MobileIdSummary } from '@shared/schemas/mobile-id';
import { carddesk, unwrap } from '../../../api/carddesk';
import { useCommand } from '../../../app/useCommand';
import { CommandError } from '../../../components/CommandError';
import { useFormat } from '../../../i18n/format';
import { useLiveRefresh } from '../../access-history';
import { useVault } from '../../vault';
import { MobileMigrateDialog } from './MobileMigrateDialog';
import { draftOf, MobileOptionsFields, mobileOptionsTestIds, optionsOf, type MobileOptionsDraft } from './MobileOptionsFields';

export const mobileIdTestIds = {
  panel: 'mobile-id-panel',
  issue: 'mobile-id-issue',
  label: mobileOptionsTestIds.label,
  days: mobileOptionsTestIds.days,
  delivery: mobileOptionsTestIds.delivery,
  recoverKey: mobileOptionsTestIds.recoverKey,
  notify: mobileOptionsTestIds.notify,
  sentTo: 'mobile-id-sent-to',
  create: 'mobile-id-create',
  qr: 'mobile-id-qr',
  qrClose: 'mobile-id-qr-close',
  row: 'mobile-id-row',
  action: (action: string) => `mobile-id-${action}`,
  lockDays: 'mobile-id-lock-days',
  reason: 'mobile-id-reason',
  confirm: 'mobile-id-confirm',
} as const;

type Action = 'lock' | 'unlock' | 'revoke' | 'cancel';

/** What the desk can do with a mobile ID in each state (the services refuse the rest). */
const actionsFor: Record<MobileIdState, readonly Action[]> = {
  pending: ['cancel'],
  active: ['lock', 'revoke'],
  locked: ['unlock', 'revoke'],
  revoked: [],
  cancelled: [],
  expired: [],
};

const stateColor: Record<MobileIdState, 'default' | 'success' | 'warning' | 'error' | 'info'> = {
  pending: 'info',
  active: 'success',
  locked: 'warning',
  revoked: 'error',
  cancelled: 'default',
  expired: 'default',
};

/** Get mobile ID: the options (prefilled from the issuance policy), then the QR code shown once, or where it was sent. */
function IssueDialog({ holder, onClose, onIssued }: { holder: Holder; onClose: () => void; onIssued: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { withUnlocked } = useVault();
  const titleId = useId();
  const emailMissing = holder.email.trim() === '';
  const [draft, setDraft] = useState<MobileOptionsDraft | null>(null);
  const [issued, setIssued] = useState<MobileIdQr | null>(null);
  // The desk's defaults: the issuance policy's mobile ID options.
  const loading = useCommand(async () => {
    const policy = await unwrap(carddesk().cards.policy());
    // The channel fills the policy's mobile ID defaults; the fallback only satisfies the type.
    const defaults: MobileIdOptions = policy.mobileId ?? { labels: ['auth', 'sign'], validityDays: 365, delivery: 'screen', recoverKey: false, notify: true };
    setDraft(draftOf(emailMissing && defaults.delivery === 'email' ? { ...defaults, delivery: 'screen' } : defaults));
  });
  const load = loading.run;
  useEffect(() => {
    void load();
  }, [load]);
  const options = draft === null ? null : optionsOf(draft);
  const issuing = useCommand(async () => {
    if (options === null) return;
    setIssued(await withUnlocked(() => unwrap(carddesk().mobile.issue({ holderId: holder.id, options }))));
    onIssued();
  });
  return (
    <Dialog open onClose={issuing.busy ? undefined : onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <DialogTitle id={titleId}>{t('mobile.issueTitle', { name: `${holder.firstName} ${holder.lastName}` })}</DialogTitle>
      <DialogContent sx={{ display: 'grid', gap: 2, pt: 1 }}>
        {issued === null ? (
          <>
            <CommandError error={loading.error} />
            {draft === null ? null : <MobileOptionsFields draft={draft} onChange={setDraft} emailMissing={emailMissing} />}
            <CommandError error={issuing.error} />
          </>
        ) : issued.qr === null ? (
          <Typography data-testid={mobileIdTestIds.sentTo}>{t('mobile.sentTo', { address: issued.sentTo ?? '', time: issued.mobileId.codeExpiresAt === null ? '' : format.dateTime(issued.mobileId.codeExpiresAt) })}</Typography>
        ) : (
          <>
            <Typography>{t('mobile.qrIntro', { time: issued.mobileId.codeExpiresAt === null ? '' : format.dateTime(issued.mobileId.codeExpiresAt) })}</Typography>
            <Box component="img" src={issued.qr} alt={t('mobile.qrAlt')} data-testid={mobileIdTestIds.qr} sx={{ width: 320, height: 320, bgcolor: '#fff', justifySelf: 'center' }} />
          </>
        )}
      </DialogContent>
      <DialogActions>
        {issued === null ? (
          <>
            <Button onClick={onClose} disabled={issuing.busy}>
              {t('common.cancel')}
            </Button>
            <Button variant="contained" disabled={options === null || issuing.busy} onClick={() => void issuing.run()} data-testid={mobileIdTestIds.create}>
              {draft?.delivery === 'email' ? t('mobile.createAndSend') : t('mobile.create')}
            </Button>
          </>
        ) : (
          <Button variant="contained" onClick={onClose} data-testid={mobileIdTestIds.qrClose}>
            {t('common.close')}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

/** Lock (how long at most), unlock, revoke (why) or cancel one mobile ID, after a confirmation. */
function ActionDialog({ mobileId, action, onClose, onDone }: { mobileId: MobileIdSummary; action: Action; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { withUnlocked } = useVault();
  const titleId = useId();
  const [days, setDays] = useState('30');
  const [reason, setReason] = useState<'keyCompromise' | 'cessationOfOperation'>('keyCompromise');
  const validDays = Number.isInteger(Number(days)) && Number(days) >= 1 && Number(days) <= 365;
  const acting = useCommand(async () => {
    const api = carddesk().mobile;
    const id = mobileId.id;
    await withUnlocked(() =>
      action === 'lock'
        ? unwrap(api.lock({ id, days: Number(days) }))
        : action === 'unlock'
          ? unwrap(api.unlock({ id }))
          : action === 'revoke'
            ? unwrap(api.revoke({ id, reason }))
            : unwrap(api.cancel({ id })),
    );
    onDone();
  });
  return (
    <Dialog open onClose={acting.busy ? undefined : onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <DialogTitle id={titleId}>{t(`mobile.confirm.${action}.title`)}</DialogTitle>
      <DialogContent sx={{ display: 'grid', gap: 2, pt: 1 }}>
        <Typography>{t(`mobile.confirm.${action}.body`)}</Typography>
        {action === 'lock' ? (
          <TextField
            type="number"
            label={t('mobile.lockDays')}
            value={days}
            onChange={(event) => setDays(event.target.value)}
            error={!validDays}
            slotProps={{ htmlInput: { min: 1, max: 365, 'data-testid': mobileIdTestIds.lockDays } }}
            sx={{ width: 240 }}
          />
        ) : null}
        {action === 'revoke' ? (
          <FormControl sx={{ width: 320 }}>
            <InputLabel id={`${titleId}-reason`}>{t('mobile.reason')}</InputLabel>
            <Select labelId={`${titleId}-reason`} label={t('mobile.reason')} value={reason} onChange={(event) => setReason(event.target.value)} data-testid={mobileIdTestIds.reason}>
              <MenuItem value="keyCompromise">{t('mobile.reasons.keyCompromise')}</MenuItem>
              <MenuItem value="cessationOfOperation">{t('mobile.reasons.cessationOfOperation')}</MenuItem>
            </Select>
          </FormControl>
        ) : null}
        <CommandError error={acting.error} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={acting.busy}>
          {t('common.cancel')}
        </Button>
        <Button variant="contained" color={action === 'unlock' ? 'primary' : 'error'} disabled={acting.busy || (action === 'lock' && !validDays)} onClick={() => void acting.run()} data-testid={mobileIdTestIds.confirm}>
          {t(`mobile.actions.${action}`)}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * The holder's mobile IDs (issue 16): their state and certificates, Get mobile ID (the QR code the
 * phone scans) and lock, unlock, revoke or cancel. It follows the audit log, so a phone's
 * enrollment over EST shows here as it happens.
 */
export function MobileIdPanel({ holder, onChanged }: { holder: Holder; onChanged: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [items, setItems] = useState<MobileIdSummary[] | null>(null);
  const [issuing, setIssuing] = useState(false);
  const [acting, setActing] = useState<{ mobileId: MobileIdSummary; action: Action } | null>(null);
  const [migrating, setMigrating] = useState<MobileIdSummary | null>(null);
  const loading = useCommand(async () => setItems(await unwrap(carddesk().mobile.list({ holderId: holder.id }))));
  const load = loading.run;
  useEffect(() => {
    void load();
  }, [load]);
  useLiveRefresh(useCallback(() => void load(), [load]));
  const changed = (): void => {
    void load();
    onChanged();
  };

  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={mobileIdTestIds.panel}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mb: 1 }}>
        <Typography variant="h6" component="h2">
          {t('mobile.title')}
        </Typography>
        <Button size="small" onClick={() => setIssuing(true)} disabled={holder.state !== 'active'} data-testid={mobileIdTestIds.issue}>
          {t('mobile.issue')}
        </Button>
      </Box>
      <CommandError error={loading.error} sx={{ mb: 2 }} />
      {items === null || items.length === 0 ? (
        <Typography color="text.secondary">{items === null ? t('common.loading') : t('mobile.none')}</Typography>
      ) : (
        <Table size="small" aria-label={t('mobile.title')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('mobile.fields.created')}</TableCell>
              <TableCell>{t('mobile.fields.certificates')}</TableCell>
              <TableCell>{t('mobile.fields.state')}</TableCell>
              <TableCell>{t('mobile.fields.validUntil')}</TableCell>
              <TableCell>
                <span>{t('mobile.fields.actions')}</span>
              </TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {items.map((item) => (
              <TableRow key={item.id} data-testid={mobileIdTestIds.row} data-id={item.id} data-state={item.state}>
                <TableCell>{format.dateTime(item.createdAt)}</TableCell>
                <TableCell>
                  {format.list(item.options.labels.map((label) => t(`mobile.labels.${label}`)))}
                  {item.state === 'pending' && item.enrolled.length > 0 ? (
                    <Typography variant="body2" color="text.secondary">
                      {t('mobile.partly', { done: item.enrolled.length, total: item.options.labels.length })}
                    </Typography>
                  ) : null}
                  {item.supersedes !== null ? <Typography variant="body2" color="text.secondary">{t('mobile.replaces', { id: item.supersedes.slice(0, 8) })}</Typography> : null}
                  {item.supersededBy !== null && item.supersededBy !== undefined ? <Typography variant="body2" color="text.secondary">{t('mobile.replacedBy', { id: item.supersededBy.slice(0, 8) })}</Typography> : null}
                </TableCell>
                <TableCell>
                  <Chip size="small" color={stateColor[item.state]} label={t(`mobile.states.${item.state}`)} />
                </TableCell>
                <TableCell>{format.date(item.expiresAt)}</TableCell>
                <TableCell>
                  <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                    {actionsFor[item.state].map((action) => (
                      <Button key={action} size="small" color={action === 'unlock' ? 'primary' : 'error'} onClick={() => setActing({ mobileId: item, action })} data-testid={mobileIdTestIds.action(action)}>
                        {t(`mobile.actions.${action}`)}
                      </Button>
                    ))}
                    {item.state === 'active' || item.state === 'locked' ? (
                      <Button size="small" onClick={() => setMigrating(item)} data-testid={mobileIdTestIds.action('migrate')}>
                        {t('mobile.actions.migrate')}
                      </Button>
                    ) : null}
                  </Box>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {issuing ? <IssueDialog holder={holder} onClose={() => setIssuing(false)} onIssued={changed} /> : null}
      {migrating !== null ? <MobileMigrateDialog holder={holder} mobileId={migrating} onClose={() => setMigrating(null)} onMigrated={changed} /> : null}
      {acting !== null ? (
        <ActionDialog
          {...acting}
          onClose={() => setActing(null)}
          onDone={() => {
            setActing(null);
            changed();
          }}
        />
      ) : null}
    </Paper>
  );
}
