import { useEffect } from 'react';
import { TextField } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { carddesk, unwrap } from '../../api/carddesk';
import { certificatesTestIds } from './testIds';

const LOOPBACK = /^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\]|\[::ffff:(127\.[\d.]+|7f[0-9a-f]{2}:[0-9a-f]{1,4})\])$/i;

/**
 * Why a base URL cannot be published, as a translation key, or null when it looks fine. The
 * service checks it again (and has the last word): this only says so before the call.
 */
export type BaseUrlProblem = 'certificates.baseUrl.required' | 'certificates.baseUrl.invalid' | 'certificates.baseUrl.loopback';

export function baseUrlProblem(text: string): BaseUrlProblem | null {
  if (text.trim() === '') return 'certificates.baseUrl.required';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'certificates.baseUrl.invalid';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'certificates.baseUrl.invalid';
  if (LOOPBACK.test(url.hostname)) return 'certificates.baseUrl.loopback';
  return null;
}

/**
 * The published base URL of the CA creation form (and of the first-run flow that reuses it):
 * issued certificates name the CRL, OCSP and CA certificate addresses below it for years. With
 * `propose`, an empty field is filled with the address proposed from the desk's host name (the
 * service knows it; the page does not).
 */
export function PublicBaseUrlField({ value, onChange, showProblem, propose = false }: { value: string; onChange: (value: string) => void; showProblem: boolean; propose?: boolean }) {
  const { t } = useTranslation();
  useEffect(() => {
    if (!propose || value !== '') return;
    let current = true;
    unwrap(carddesk().ca.status())
      .then((ca) => {
        if (current && !ca.ready && ca.proposedBaseUrl !== null) onChange(ca.proposedBaseUrl);
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
    // Proposed once, when the field appears empty; never over what the operator typed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [propose]);
  const problem = showProblem ? baseUrlProblem(value) : null;
  return (
    <TextField
      label={t('certificates.baseUrl.label')}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      required
      error={problem !== null}
      helperText={problem === null ? t('certificates.baseUrl.hint') : t(problem)}
      slotProps={{ htmlInput: { 'data-testid': certificatesTestIds.baseUrl, inputMode: 'url', spellCheck: false } }}
    />
  );
}
