// What other features may use of the settings (eslint rule carddesk/feature-boundaries).
export { PolicyForm } from './IssuancePolicyPanel';
