/** The operator sign-in screen and the operator in the app bar (issue 17). */
export const sessionTestIds = {
  screen: 'signin-screen',
  reader: 'signin-reader',
  noReader: 'signin-no-reader',
  pin: 'signin-pin',
  submit: 'signin-submit',
  refusal: 'signin-refusal',
  operator: 'session-operator',
  roles: 'session-roles',
  signOut: 'session-sign-out',
  locked: 'session-locked',
  lockOverlay: 'session-lock-overlay',
} as const;
