// What other features may use of the holders (eslint rule carddesk/feature-boundaries).
export { HolderDialog } from './HolderDialog';
export { matchedFields } from './holderMatch';
export { draftOf, MobileOptionsFields, optionsOf, type MobileOptionsDraft } from './mobile/MobileOptionsFields';
