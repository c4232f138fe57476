import { useId, useState } from 'react';
import { Alert, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, FormControlLabel, FormGroup, FormLabel, Stack } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { operatorRoles } from '@shared/enums';
import type { Holder } from '@shared/schemas/holders';
import type { OperatorRecord } from '@shared/schemas/operators';
import type { OperatorRole } from '@shared/permissions';
import { HolderPicker } from '../certificates';
import { settingsTestIds } from './testIds';

/**
 * Adds an operator (a holder chosen by search, and roles) or changes an operator's roles. The
 * services decide (one account per holder, never without an active CA administrator); this only
 * asks for at least one role.
 */
export function OperatorDialog({
  operator,
  busy,
  onSave,
  onClose,
}: {
  /** null: a new operator. */
  operator: OperatorRecord | null;
  busy: boolean;
  onSave: (holder: Holder | null, roles: OperatorRole[]) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  const [holder, setHolder] = useState<Holder | null>(null);
  const [roles, setRoles] = useState<OperatorRole[]>(operator?.roles ?? []);
  const toggle = (role: OperatorRole, on: boolean): void => setRoles((now) => (on ? operatorRoles.filter((r) => r === role || now.includes(r)) : now.filter((r) => r !== role)));
  const ready = roles.length > 0 && (operator !== null || holder !== null);

  return (
    <Dialog open onClose={busy ? undefined : onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth data-testid={settingsTestIds.operatorDialog}>
      <DialogTitle id={titleId}>{operator === null ? t('settings.operators.addTitle') : t('settings.operators.rolesTitle', { name: operator.name })}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          {operator === null ? (
            <>
              <DialogContentText>{t('settings.operators.addBody')}</DialogContentText>
              <HolderPicker value={holder} onChange={setHolder} activeOnly testId={settingsTestIds.operatorHolder} label={t('settings.operators.holder')} />
            </>
          ) : null}
          <FormGroup>
            <FormLabel component="legend">{t('settings.operators.rolesLabel')}</FormLabel>
            {operatorRoles.map((role) => (
              <FormControlLabel
                key={role}
                control={<Checkbox checked={roles.includes(role)} onChange={(e) => toggle(role, e.target.checked)} slotProps={{ input: { 'data-testid': settingsTestIds.operatorRoleChoice(role) } as never }} />}
                label={`${t(`settings.operators.roles.${role}`)} \u2014 ${t(`settings.operators.roleHints.${role}`)}`}
              />
            ))}
          </FormGroup>
          {roles.length === 0 ? <Alert severity="info">{t('settings.operators.needsRole')}</Alert> : null}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          {t('settings.operators.cancel')}
        </Button>
        <Button variant="contained" disabled={!ready || busy} onClick={() => onSave(holder, roles)} data-testid={settingsTestIds.operatorSave}>
          {operator === null ? t('settings.operators.add') : t('settings.operators.saveRoles')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
