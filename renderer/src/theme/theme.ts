import { createTheme } from '@mui/material/styles';

/** One theme with a light and a dark scheme; MUI remembers the chosen one. */
export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  colorSchemes: {
    light: {
      palette: {
        primary: { main: '#1f4e8c' },
        secondary: { main: '#0f6e62' },
        // Darker than MUI's default orange, so warning text and outlines reach 4.5:1 on white (WCAG AA).
        warning: { main: '#a04d00' },
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
