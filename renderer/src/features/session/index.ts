export { OperatorSessionProvider, useOperatorSession } from './SessionContext';
export { OperatorBar } from './OperatorBar';
export { SignInScreen } from './SignInScreen';
export { sessionTestIds } from './testIds';
