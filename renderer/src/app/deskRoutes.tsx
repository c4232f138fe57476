import type { ReactElement } from 'react';
import type { SvgIconComponent } from '@mui/icons-material';
import CreditCardIcon from '@mui/icons-material/CreditCard';
import DescriptionIcon from '@mui/icons-material/Description';
import HistoryIcon from '@mui/icons-material/History';
import PeopleAltIcon from '@mui/icons-material/PeopleAlt';
import SettingsIcon from '@mui/icons-material/Settings';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';
import { AccessHistoryScreen } from '../features/access-history/AccessHistoryScreen';
import { CardsScreen } from '../features/cards/CardsScreen';
import { CertificateDetailView } from '../features/certificates/CertificateDetailView';
import { CertificatesScreen } from '../features/certificates/CertificatesScreen';
import { ContractsScreen } from '../features/contracts/ContractsScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { HolderDetail } from '../features/users/HolderDetail';
import { UsersScreen } from '../features/users/UsersScreen';

export interface DeskRoute {
  readonly path: string;
  readonly labelKey: 'nav.users' | 'nav.cards' | 'nav.certificates' | 'nav.contracts' | 'nav.accessHistory' | 'nav.settings';
  readonly icon: SvgIconComponent;
  readonly element: ReactElement;
  /** Deeper pages of the same screen (a holder, a certificate), under the same navigation entry. */
  readonly pages?: readonly { readonly path: string; readonly element: ReactElement }[];
}

/** The operator's screens, in navigation order. */
export const deskRoutes: readonly DeskRoute[] = [
  { path: '/users', labelKey: 'nav.users', icon: PeopleAltIcon, element: <UsersScreen />, pages: [{ path: '/users/:id', element: <HolderDetail /> }] },
  { path: '/cards', labelKey: 'nav.cards', icon: CreditCardIcon, element: <CardsScreen /> },
  {
    path: '/certificates',
    labelKey: 'nav.certificates',
    icon: VerifiedUserIcon,
    element: <CertificatesScreen />,
    pages: [
      { path: '/certificates/ca', element: <CertificatesScreen /> },
      { path: '/certificates/:serial', element: <CertificateDetailView /> },
    ],
  },
  { path: '/contracts', labelKey: 'nav.contracts', icon: DescriptionIcon, element: <ContractsScreen /> },
  { path: '/access-history', labelKey: 'nav.accessHistory', icon: HistoryIcon, element: <AccessHistoryScreen /> },
  { path: '/settings', labelKey: 'nav.settings', icon: SettingsIcon, element: <SettingsScreen /> },
];

export const defaultDeskPath = '/cards';
