import { lazy, type ComponentType, type LazyExoticComponent, type ReactElement } from 'react';
import type { SvgIconComponent } from '@mui/icons-material';
import CreditCardIcon from '@mui/icons-material/CreditCard';
import DescriptionIcon from '@mui/icons-material/Description';
import HistoryIcon from '@mui/icons-material/History';
import PeopleAltIcon from '@mui/icons-material/PeopleAlt';
import SettingsIcon from '@mui/icons-material/Settings';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';

/**
 * A screen loaded when first shown: the shell and the start-up need none of the screens' code, so
 * the first window draws before it is parsed (DeskApp shows a progress bar meanwhile).
 */
export function onDemand<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K): LazyExoticComponent<ComponentType> {
  return lazy(() => load().then((module) => ({ default: module[name] })));
}

const AccessHistoryScreen = onDemand(() => import('../features/access-history/AccessHistoryScreen'), 'AccessHistoryScreen');
const CardsScreen = onDemand(() => import('../features/cards/CardsScreen'), 'CardsScreen');
const CertificateDetailView = onDemand(() => import('../features/certificates/CertificateDetailView'), 'CertificateDetailView');
const CertificatesScreen = onDemand(() => import('../features/certificates/CertificatesScreen'), 'CertificatesScreen');
const ContractsScreen = onDemand(() => import('../features/contracts/ContractsScreen'), 'ContractsScreen');
const ContractDetail = onDemand(() => import('../features/contracts/ContractDetail'), 'ContractDetail');
const SettingsScreen = onDemand(() => import('../features/settings/SettingsScreen'), 'SettingsScreen');
const HolderDetail = onDemand(() => import('../features/holders/HolderDetail'), 'HolderDetail');
const UsersScreen = onDemand(() => import('../features/holders/UsersScreen'), 'UsersScreen');

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
  { path: '/contracts', labelKey: 'nav.contracts', icon: DescriptionIcon, element: <ContractsScreen />, pages: [{ path: '/contracts/:id', element: <ContractDetail /> }] },
  { path: '/access-history', labelKey: 'nav.accessHistory', icon: HistoryIcon, element: <AccessHistoryScreen /> },
  { path: '/settings', labelKey: 'nav.settings', icon: SettingsIcon, element: <SettingsScreen /> },
];

export const defaultDeskPath = '/cards';
