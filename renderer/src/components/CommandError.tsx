import type { ReactNode } from 'react';
import { Alert, AlertTitle, type AlertColor, type SxProps, type Theme } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { ErrorCode } from '@shared/errors';

/**
 * The one presenter of a failed command: the translated text of its CardDeskError code. It takes
 * only the code, never the error's message, so nothing the operator typed (a PIN, a passphrase)
 * can reach the screen through it.
 */
export function CommandError({
  error,
  testId,
  sx,
  onClose,
  severity = 'error',
  title,
  action,
}: {
  error: ErrorCode | null;
  testId?: string;
  sx?: SxProps<Theme>;
  onClose?: () => void;
  /** 'info' where a failed read only means the screen cannot say more yet (e.g. the vault is locked). */
  severity?: AlertColor;
  /** A heading above the error's text (what failed: "CardDesk could not start"). */
  title?: string;
  /** What the operator can do about it, e.g. a retry button. */
  action?: ReactNode;
}) {
  const { t } = useTranslation();
  if (error === null) return null;
  return (
    <Alert severity={severity} sx={sx} data-testid={testId} data-code={error} onClose={onClose} action={action}>
      {title === undefined ? null : <AlertTitle>{title}</AlertTitle>}
      {t(`errors.${error}`)}
    </Alert>
  );
}
