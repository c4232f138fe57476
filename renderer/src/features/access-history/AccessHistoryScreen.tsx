import { useTranslation } from 'react-i18next';
import { PlannedScreen } from '../../components/PlannedScreen';

export function AccessHistoryScreen() {
  const { t } = useTranslation();
  return <PlannedScreen title={t('nav.accessHistory')} body={t('planned.accessHistory.body')} />;
}
