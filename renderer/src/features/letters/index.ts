// What other features may use of the letters (eslint rule carddesk/feature-boundaries).
export { HolderLetters } from './HolderLetters';
export { LetterActions } from './LetterActions';
export { LettersSettingsPanel } from './LettersSettingsPanel';
