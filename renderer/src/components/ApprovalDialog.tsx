import { useState, type FormEvent } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, FormControl, InputLabel, MenuItem, Select, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { ApprovalRequestInfo } from '@shared/errors';
import type { ApprovalResult } from '@shared/schemas/operator-sign-in';
import { carddesk, unwrap } from '../api/carddesk';
import { useCommand } from '../app/useCommand';
import { useReaders } from '../app/useReaders';
import { CommandError } from './CommandError';
import { PinPad } from './PinPad';
import { approvalTestIds } from './testIds';

type Refusal = Extract<ApprovalResult, { ok: false }>;

/** Refusals of the request itself (dual-control.ts); the card's own are the sign-in screen's (session.refusals). */
const requestRefusals = ['unknown', 'expired', 'ownRequest', 'notPermitted', 'alreadyApproved', 'used'] as const;
type RequestRefusal = (typeof requestRefusals)[number];
const isRequestRefusal = (reason: string): reason is RequestRefusal => (requestRefusals as readonly string[]).includes(reason);

/** The dual-controlled actions (dual-control.ts `dualActions`) and their names in the dialog. */
const actionKeys = {
  'ca.create': 'caCreate',
  'ca.import': 'caImport',
  'ca.renew': 'caRenew',
  'vault.restore': 'vaultRestore',
  'vault.passphrase': 'vaultPassphrase',
  'key.recover': 'keyRecover',
  'operator.roles': 'operatorRoles',
} as const;
const actionKey = (action: string) => (action in actionKeys ? actionKeys[action as keyof typeof actionKeys] : 'other');

/**
 * Two-person control at the desk (issue 17 §4): what the signed-in operator asked to do, and a
 * second operator's card and PIN to approve it. The PIN lives in this dialog's state only until the
 * call returns; refusals say why (wrong PIN with tries left, one's own request, a role that does not
 * permit the action, a card that is not an operator card).
 */
export function ApprovalDialog({ approval, onDone }: { approval: ApprovalRequestInfo; onDone: (approved: boolean) => void }) {
  const { t } = useTranslation();
  const { readers, loaded } = useReaders();
  const withCard = readers.filter((reader) => reader.cardState === 'present');
  const [chosen, setChosen] = useState<string | null>(null);
  const reader = withCard.some((r) => r.name === chosen) ? chosen : (withCard[withCard.length - 1]?.name ?? null);
  const [pin, setPin] = useState('');
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const approve = useCommand((args: { requestId: string; reader: string; pin: string }) => unwrap(carddesk().approvals.approveWithCard(args)));

  const submit = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    if (reader === null || pin.length < 6) return;
    const typed = pin;
    setPin('');
    setRefusal(null);
    const result = await approve.run({ requestId: approval.requestId, reader, pin: typed });
    if (result === undefined) return;
    if (result.ok) onDone(true);
    else setRefusal(result);
  };

  const refusalText = (r: Refusal): string => {
    if (r.reason === 'wrongPin' && r.triesLeft !== null) return t('session.refusals.wrongPinTries', { count: r.triesLeft });
    if (r.reason === 'noCertificate' || r.reason === 'notOperatorCertificate' || r.reason === 'unknownCard') return t('approval.refusals.notOperatorCard');
    return isRequestRefusal(r.reason) ? t(`approval.refusals.${r.reason}`) : t(`session.refusals.${r.reason}`);
  };

  return (
    <Dialog open onClose={() => onDone(false)} maxWidth="xs" fullWidth data-testid={approvalTestIds.dialog} aria-labelledby="approval-title">
      <Box component="form" onSubmit={(event) => void submit(event)}>
        <DialogTitle id="approval-title">{t('approval.title')}</DialogTitle>
        <DialogContent sx={{ display: 'grid', gap: 2 }}>
          <Box>
            <Typography variant="subtitle2">{t(`approval.actions.${actionKey(approval.action)}`)}</Typography>
            <Typography variant="body2" color="text.secondary" data-testid={approvalTestIds.summary}>
              {approval.summary}
            </Typography>
          </Box>
          <Alert severity="info">{t('approval.instruction')}</Alert>
          {loaded && reader === null ? (
            <Alert severity="warning" data-testid={approvalTestIds.noReader}>
              {t('approval.insertCard')}
            </Alert>
          ) : withCard.length > 1 ? (
            <FormControl fullWidth size="small">
              <InputLabel id="approval-reader-label">{t('session.signIn.reader')}</InputLabel>
              <Select labelId="approval-reader-label" label={t('session.signIn.reader')} value={reader ?? ''} onChange={(event) => setChosen(event.target.value)} data-testid={approvalTestIds.reader}>
                {withCard.map((r) => (
                  <MenuItem key={r.name} value={r.name}>
                    {r.name}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
          ) : null}
          <TextField
            label={t('approval.pin')}
            type="password"
            size="small"
            value={pin}
            onChange={(event) => setPin(event.target.value.replace(/\D/g, '').slice(0, 8))}
            slotProps={{ htmlInput: { inputMode: 'numeric', autoComplete: 'off', maxLength: 8, 'data-testid': approvalTestIds.pin } }}
            disabled={approve.busy}
          />
          <PinPad onDigit={(digit) => setPin((current) => (current.length >= 8 ? current : `${current}${digit}`))} onBackspace={() => setPin((current) => current.slice(0, -1))} onClear={() => setPin('')} disabled={approve.busy} />
          {refusal === null ? null : (
            <Alert severity={refusal.reason === 'wrongPin' ? 'warning' : 'error'} data-testid={approvalTestIds.refusal} data-reason={refusal.reason}>
              {refusalText(refusal)}
            </Alert>
          )}
          <CommandError error={approve.error} />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => onDone(false)} data-testid={approvalTestIds.cancel}>
            {t('approval.cancel')}
          </Button>
          <Button type="submit" variant="contained" disabled={approve.busy || reader === null || pin.length < 6} data-testid={approvalTestIds.approve}>
            {t('approval.approve')}
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}
