import { createTheme } from '@mui/material/styles';

/** One theme with a light and a dark scheme; MUI remembers the chosen one. */
export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  colorSchemes: {
    light: {
      palette: {
        primary: { main: '#1f4e8c' },
        secondary: { main: '#0f6e62' },
        background: { default: '#f5f7fa' },
      },
    },
    dark: {
      palette: {
        primary: { main: '#8ab4f8' },
        secondary: { main: '#6fd3c3' },
      },
    },
  },
  shape: { borderRadius: 8 },
});
