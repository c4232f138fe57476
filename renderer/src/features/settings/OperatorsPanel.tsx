import { useCallback, useEffect, useId, useState } from 'react';
import { Alert, Box, Button, Chip, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Paper, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Holder } from '@shared/schemas/holders';
import type { OperatorChangeResult, OperatorRefusal } from '@shared/schemas/operator-accounts';
import type { OperatorRecord, OperatorState } from '@shared/schemas/operators';
import type { OperatorRole } from '@shared/permissions';
import { carddesk, unwrap } from '../../api/carddesk';
import { useCommand } from '../../app/useCommand';
import { CommandError } from '../../components/CommandError';
import { CardWorkflowDialog, type WorkflowRequest } from '../lifecycle';
import { OperatorDialog } from './OperatorDialog';
import { settingsTestIds } from './testIds';

const stateColor: Readonly<Record<OperatorState, 'success' | 'warning' | 'default'>> = { active: 'success', suspended: 'warning', removed: 'default' };

type Change = { kind: 'add'; holder: Holder; roles: OperatorRole[] } | { kind: 'roles'; id: string; roles: OperatorRole[] } | { kind: 'suspend' | 'resume' | 'remove'; id: string };

/**
 * Settings → Operators (issue 17 §6): the people who work at the desk, their roles, state and
 * operator cards. Add one from the directory, change roles, suspend, resume, remove (the account
 * stays, removed), and issue an operator card through the card issuance workflow. What the
 * services refuse (the last CA administrator, a second account for a holder) is shown as they say.
 */
export function OperatorsPanel() {
  const { t } = useTranslation();
  const [operators, setOperators] = useState<OperatorRecord[] | null>(null);
  const [editing, setEditing] = useState<OperatorRecord | 'new' | null>(null);
  const [removing, setRemoving] = useState<OperatorRecord | null>(null);
  const [refusal, setRefusal] = useState<OperatorRefusal | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [workflow, setWorkflow] = useState<WorkflowRequest | null>(null);
  const removeTitleId = useId();

  const load = useCommand(async () => setOperators(await unwrap(carddesk().operators.list())));
  const reload = load.run;
  useEffect(() => {
    void reload();
  }, [reload]);

  const changing = useCommand(async (change: Change): Promise<OperatorChangeResult> => {
    const api = carddesk().operators;
    switch (change.kind) {
      case 'add':
        return unwrap(api.add({ holderId: change.holder.id, roles: change.roles }));
      case 'roles':
        return unwrap(api.setRoles({ id: change.id, roles: change.roles }));
      case 'suspend':
        return unwrap(api.suspend({ id: change.id }));
      case 'resume':
        return unwrap(api.resume({ id: change.id }));
      case 'remove':
        return unwrap(api.remove({ id: change.id }));
    }
  });
  const change = async (next: Change): Promise<void> => {
    setRefusal(null);
    setDone(null);
    const result = await changing.run(next);
    setEditing(null);
    setRemoving(null);
    if (result === undefined) return;
    if (!result.ok) setRefusal(result.reason);
    else setDone(t(`settings.operators.done.${next.kind}`, { name: result.operator.name }));
    await reload();
  };

  const issueCard = useCommand(async (operator: OperatorRecord) => {
    const { holder } = await unwrap(carddesk().holders.get({ id: operator.holderId }));
    setWorkflow({ kind: 'issue', reader: null, holder, purpose: 'operator' });
  });

  const closeWorkflow = useCallback(() => {
    setWorkflow(null);
    void reload();
  }, [reload]);

  const action = (label: string, testId: string, onClick: () => void, color: 'primary' | 'error' = 'primary') => (
    <Button size="small" color={color} onClick={onClick} disabled={changing.busy} data-testid={testId}>
      {label}
    </Button>
  );

  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 3 }} data-testid={settingsTestIds.operators}>
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        {t('settings.operators.title')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('settings.operators.body')}
      </Typography>
      {refusal !== null ? (
        <Alert severity="error" sx={{ mb: 2 }} onClose={() => setRefusal(null)} data-testid={settingsTestIds.operatorsRefusal} data-reason={refusal}>
          {t(`settings.operators.refused.${refusal}`)}
        </Alert>
      ) : null}
      {done !== null ? (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setDone(null)} data-testid={settingsTestIds.operatorsMessage}>
          {done}
        </Alert>
      ) : null}
      <CommandError error={changing.error ?? issueCard.error ?? load.error} sx={{ mb: 2 }} onClose={() => (changing.reset(), issueCard.reset(), load.reset())} />
      <Button variant="contained" sx={{ mb: 2 }} onClick={() => setEditing('new')} data-testid={settingsTestIds.operatorsAdd}>
        {t('settings.operators.add')}
      </Button>
      {operators !== null && operators.length === 0 ? <Typography color="text.secondary">{t('settings.operators.none')}</Typography> : null}
      {operators !== null && operators.length > 0 ? (
        <Box sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label={t('settings.operators.tableLabel')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('settings.operators.columns.name')}</TableCell>
                <TableCell>{t('settings.operators.columns.roles')}</TableCell>
                <TableCell>{t('settings.operators.columns.state')}</TableCell>
                <TableCell>{t('settings.operators.columns.cards')}</TableCell>
                <TableCell>{t('settings.operators.columns.actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {operators.map((operator) => (
                <TableRow key={operator.id} data-testid={settingsTestIds.operatorRow} data-operator-id={operator.id} data-state={operator.state}>
                  <TableCell>{operator.name}</TableCell>
                  <TableCell>
                    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5 }}>
                      {operator.roles.map((role) => (
                        <Chip key={role} size="small" label={t(`settings.operators.roles.${role}`)} data-testid={settingsTestIds.operatorRole} data-role={role} />
                      ))}
                    </Box>
                  </TableCell>
                  <TableCell>
                    <Chip size="small" variant="outlined" color={stateColor[operator.state]} label={t(`settings.operators.states.${operator.state}`)} data-testid={settingsTestIds.operatorState} />
                  </TableCell>
                  <TableCell data-testid={settingsTestIds.operatorCards}>
                    {operator.cards.length === 0 ? t('settings.operators.noCards') : operator.cards.map((card) => <Box key={card.certificateSerial}>{card.cardSerial}</Box>)}
                  </TableCell>
                  <TableCell>
                    {operator.state === 'removed' ? null : (
                      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5 }}>
                        {action(t('settings.operators.editRoles'), settingsTestIds.operatorEditRoles, () => setEditing(operator))}
                        {operator.state === 'active'
                          ? action(t('settings.operators.suspend'), settingsTestIds.operatorSuspend, () => void change({ kind: 'suspend', id: operator.id }))
                          : action(t('settings.operators.resume'), settingsTestIds.operatorResume, () => void change({ kind: 'resume', id: operator.id }))}
                        {action(t('settings.operators.issueCard'), settingsTestIds.operatorIssueCard, () => void issueCard.run(operator))}
                        {action(t('settings.operators.remove'), settingsTestIds.operatorRemove, () => setRemoving(operator), 'error')}
                      </Box>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      ) : null}
      {editing !== null ? (
        <OperatorDialog
          operator={editing === 'new' ? null : editing}
          busy={changing.busy}
          onClose={() => setEditing(null)}
          onSave={(holder, roles) => void change(editing === 'new' ? { kind: 'add', holder: holder!, roles } : { kind: 'roles', id: editing.id, roles })}
        />
      ) : null}
      {removing !== null ? (
        <Dialog open onClose={changing.busy ? undefined : () => setRemoving(null)} aria-labelledby={removeTitleId} data-testid={settingsTestIds.operatorRemoveDialog}>
          <DialogTitle id={removeTitleId}>{t('settings.operators.removeTitle', { name: removing.name })}</DialogTitle>
          <DialogContent>
            <DialogContentText>{t('settings.operators.removeBody')}</DialogContentText>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setRemoving(null)} disabled={changing.busy}>
              {t('settings.operators.cancel')}
            </Button>
            <Button color="error" variant="contained" disabled={changing.busy} onClick={() => void change({ kind: 'remove', id: removing.id })} data-testid={settingsTestIds.operatorRemoveConfirm}>
              {t('settings.operators.removeConfirm')}
            </Button>
          </DialogActions>
        </Dialog>
      ) : null}
      {workflow !== null ? <CardWorkflowDialog initial={workflow} onClose={closeWorkflow} /> : null}
    </Paper>
  );
}
