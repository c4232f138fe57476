import { useState } from 'react';
import { Box, Button, Typography } from '@mui/material';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { useTranslation } from 'react-i18next';

/**
 * A code people read out or type elsewhere (a card serial, an unblock challenge or response):
 * large, in a monospaced face, selectable, with a copy button.
 */
export function CopyableCode({ label, code, testId, copyTestId, size = 'large' }: { label: string; code: string; testId: string; copyTestId: string; size?: 'large' | 'medium' }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const copy = (): void => {
    navigator.clipboard
      .writeText(code)
      .then(() => setCopied('copied'))
      .catch(() => setCopied('failed'));
  };
  return (
    <Box>
      <Typography variant="body2" color="text.secondary">
        {label}
      </Typography>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
        <Typography
          component="p"
          variant={size === 'large' ? 'h4' : 'h6'}
          data-testid={testId}
          sx={{ fontFamily: 'monospace', letterSpacing: '0.08em', userSelect: 'all', wordBreak: 'break-all', m: 0 }}
        >
          {code}
        </Typography>
        <Button size="small" startIcon={<ContentCopyIcon aria-hidden />} onClick={copy} aria-label={t('common.copyLabel', { what: label })} data-testid={copyTestId}>
          {t('common.copy')}
        </Button>
      </Box>
      <Typography variant="body2" color="text.secondary" role="status" sx={{ minHeight: '1.5em' }}>
        {copied === null ? '' : copied === 'copied' ? t('common.copied') : t('common.copyFailed')}
      </Typography>
    </Box>
  );
}
