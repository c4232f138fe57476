// What other features may use of the cards (eslint rule carddesk/feature-boundaries).
