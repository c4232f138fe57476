import { Box, CircularProgress, LinearProgress, Typography } from '@mui/material';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import ErrorIcon from '@mui/icons-material/Error';
import RadioButtonUncheckedIcon from '@mui/icons-material/RadioButtonUnchecked';
import RemoveCircleOutlinedIcon from '@mui/icons-material/RemoveCircleOutlined';
import { useTranslation } from 'react-i18next';
import { visuallyHidden } from '../../components/visuallyHidden';
import { finishedCount, type StepState, type StepView } from './progress';
import { lifecycleTestIds } from './testIds';

function StepIcon({ state }: { state: StepState }) {
  switch (state) {
    case 'running':
      return <CircularProgress size={20} aria-hidden />;
    case 'done':
      return <CheckCircleIcon color="success" aria-hidden />;
    case 'skipped':
      return <RemoveCircleOutlinedIcon color="action" aria-hidden />;
    case 'failed':
      return <ErrorIcon color="error" aria-hidden />;
    case 'waiting':
      return <RadioButtonUncheckedIcon color="disabled" aria-hidden />;
  }
}

/** The steps of one card workflow, each with its own state, as the services announce them. */
export function WorkflowSteps({ steps, labelId }: { steps: readonly StepView[]; labelId: string }) {
  const { t } = useTranslation();
  const finished = finishedCount(steps);
  const running = steps.find((view) => view.state === 'running');
  const failed = steps.find((view) => view.state === 'failed');
  const current = failed ?? running;
  const position = current === undefined ? 0 : steps.indexOf(current) + 1;
  return (
    <Box>
      <LinearProgress
        variant="determinate"
        value={steps.length === 0 ? 0 : (finished / steps.length) * 100}
        color={failed === undefined ? 'primary' : 'error'}
        aria-labelledby={labelId}
        aria-valuetext={t('lifecycle.progress.finished', { count: finished, total: steps.length })}
        sx={{ mb: 2 }}
      />
      <Box component="ol" aria-labelledby={labelId} data-testid={lifecycleTestIds.steps} sx={{ listStyle: 'none', m: 0, p: 0, display: 'grid', gap: 0.75 }}>
        {steps.map((view, index) => (
          <Box
            component="li"
            key={view.step}
            data-testid={lifecycleTestIds.step(view.step)}
            data-state={view.state}
            aria-current={view.state === 'running' ? 'step' : undefined}
            sx={{ display: 'grid', gridTemplateColumns: '28px 1fr auto', alignItems: 'center', gap: 1 }}
          >
            <Box sx={{ display: 'flex', justifyContent: 'center' }}>
              <StepIcon state={view.state} />
            </Box>
            <Typography sx={{ fontWeight: view.state === 'running' ? 600 : 400 }}>
              <Box component="span" sx={visuallyHidden}>
                {t('lifecycle.progress.stepNumber', { index: index + 1, total: steps.length })}
              </Box>
              {t(`lifecycle.steps.${view.step}`)}
            </Typography>
            <Typography variant="body2" color={view.state === 'failed' ? 'error' : 'text.secondary'}>
              {t(`lifecycle.stepStates.${view.state}`)}
            </Typography>
          </Box>
        ))}
      </Box>
      <Box role="status" aria-live="polite" sx={visuallyHidden}>
        {current === undefined ? '' : t('lifecycle.progress.announce', { index: position, total: steps.length, step: t(`lifecycle.steps.${current.step}`), state: t(`lifecycle.stepStates.${current.state}`) })}
      </Box>
    </Box>
  );
}
