/**
 * The words of CardDesk's letters in every language the product speaks. Letters are produced in
 * the main process (they carry PINs, which never reach the renderer), so their texts live here,
 * not in the renderer's locale files; a test checks every language has every text.
 */
export type LetterLanguage = 'en' | 'sq' | 'it' | 'nl';

export interface LetterTexts {
  readonly userNumberSubject: string;
  readonly userNumberIntro: string;
  readonly userNumberLabel: string;
  readonly userNumberUse: string;
  readonly pinSubject: string;
  readonly pinIntro: string;
  /** The letter when the holder chooses the PIN at the desk: it carries the PUK only. */
  readonly pukSubject: string;
  readonly pukOnlyIntro: string;
  readonly pinLabel: string;
  readonly pukLabel: string;
  readonly cardLabel: string;
  readonly pinAdvice: string;
  readonly pukAdvice: string;
  readonly separately: string;
  readonly neverAsk: string;
  readonly greeting: (name: string) => string;
  readonly closing: string;
  readonly forHolder: (name: string) => string;
  readonly dateLabel: string;
  /** The Emergency Recovery Code letter (issue 15): its own letter, never with the PIN. */
  readonly recoverySubject: string;
  readonly recoveryIntro: string;
  readonly recoveryLabel: string;
  readonly recoveryUse: string;
  readonly recoveryOnce: string;
}

export const letterTexts: Record<LetterLanguage, LetterTexts> = {
  en: {
    userNumberSubject: 'Your user number',
    userNumberIntro: 'A smart card with your certificates has been issued. This letter gives you the user number that belongs to it.',
    userNumberLabel: 'User number',
    userNumberUse: 'Quote this number when you contact the helpdesk. You may share it with helpdesk staff; it is not a secret.',
    pinSubject: 'Your PIN and PUK',
    pinIntro: 'Your new smart card is protected by a PIN. Below are the PIN and the PUK (the code that unblocks the PIN).',
    pukSubject: 'Your PUK',
    pukOnlyIntro: 'Your new smart card is protected by a PIN that you choose yourself at the desk, on the PIN pad, when you sign your contract; it is not in this letter. Below is the PUK (the code that unblocks the PIN).',
    pinLabel: 'PIN',
    pukLabel: 'PUK',
    cardLabel: 'Card serial number',
    pinAdvice: 'Type the PIN only on your own computer or on a desk or kiosk PIN pad. After three wrong PINs the card is blocked.',
    pukAdvice: 'With the PUK you can unblock the card and choose a new PIN. Keep this letter in a safe place, apart from the card.',
    separately: 'For your security, your user number is sent to you in a separate letter.',
    neverAsk: 'We will never ask for your PIN, not by phone, not by email, not at the desk.',
    greeting: (name) => `Dear ${name},`,
    closing: 'Kind regards, the card desk',
    forHolder: (name) => `For the card of ${name}`,
    dateLabel: 'Date',
    recoverySubject: 'Your emergency recovery code',
    recoveryIntro: 'This is your emergency recovery code. If your PIN is blocked and you do not have your PUK at hand, you can unblock your card with it at a kiosk: you type this code, then a one-time code we send to your email address or mobile number.',
    recoveryLabel: 'Recovery code',
    recoveryUse: 'Letters and digits only; capital or small letters, dashes and spaces do not matter. Keep this letter in a safe place, apart from the card. Nobody from the desk will ever ask you for this code.',
    recoveryOnce: 'The code works once. When you have used it, or when a new one is issued, you receive a new code by letter and the old one no longer works.',
  },
  sq: {
    userNumberSubject: 'Numri juaj i përdoruesit',
    userNumberIntro: 'Ju është lëshuar një kartë inteligjente me certifikatat tuaja. Kjo letër ju jep numrin e përdoruesit që i përket asaj.',
    userNumberLabel: 'Numri i përdoruesit',
    userNumberUse: 'Përmendeni këtë numër kur kontaktoni sportelin e ndihmës. Mund ta ndani me stafin e ndihmës; nuk është sekret.',
    pinSubject: 'PIN-i dhe PUK-u juaj',
    pinIntro: 'Karta juaj e re inteligjente mbrohet me një PIN. Më poshtë janë PIN-i dhe PUK-u (kodi që e zhbllokon PIN-in).',
    pukSubject: 'PUK-u juaj',
    pukOnlyIntro: 'Karta juaj e re inteligjente mbrohet me një PIN që e zgjidhni vetë në sportel, në tastierën e PIN-it, kur nënshkruani kontratën; ai nuk është në këtë letër. Më poshtë është PUK-u (kodi që e zhbllokon PIN-in).',
    pinLabel: 'PIN',
    pukLabel: 'PUK',
    cardLabel: 'Numri serial i kartës',
    pinAdvice: 'Shkruajeni PIN-in vetëm në kompjuterin tuaj ose në tastierën e PIN-it të sportelit apo kioskut. Pas tre PIN-eve të gabuara karta bllokohet.',
    pukAdvice: 'Me PUK-un mund ta zhbllokoni kartën dhe të zgjidhni një PIN të ri. Ruajeni këtë letër në një vend të sigurt, larg kartës.',
    separately: 'Për sigurinë tuaj, numri i përdoruesit ju dërgohet në një letër të veçantë.',
    neverAsk: 'Ne nuk do t’ju kërkojmë kurrë PIN-in, as me telefon, as me email, as në sportel.',
    greeting: (name) => `I/E nderuar ${name},`,
    closing: 'Me respekt, sporteli i kartave',
    forHolder: (name) => `Për kartën e ${name}`,
    dateLabel: 'Data',
    recoverySubject: 'Kodi juaj i rikuperimit emergjent',
    recoveryIntro: 'Ky është kodi juaj i rikuperimit emergjent. Nëse PIN-i juaj është bllokuar dhe nuk e keni PUK-un pranë, mund ta zhbllokoni kartën me të në një kioskë: shkruani këtë kod, pastaj një kod njëpërdorimësh që ua dërgojmë në adresën e email-it ose në numrin e celularit.',
    recoveryLabel: 'Kodi i rikuperimit',
    recoveryUse: 'Vetëm shkronja dhe shifra; shkronjat e mëdha ose të vogla, vizat dhe hapësirat nuk kanë rëndësi. Ruajeni këtë letër në një vend të sigurt, larg kartës. Askush nga sporteli nuk do t’jua kërkojë kurrë këtë kod.',
    recoveryOnce: 'Kodi funksionon një herë. Pasi ta keni përdorur, ose kur lëshohet një i ri, merrni një kod të ri me letër dhe i vjetri nuk funksionon më.',
  },
  it: {
    userNumberSubject: 'Il tuo numero utente',
    userNumberIntro: 'È stata emessa una smart card con i tuoi certificati. Questa lettera ti comunica il numero utente che le appartiene.',
    userNumberLabel: 'Numero utente',
    userNumberUse: 'Indica questo numero quando contatti l’assistenza. Puoi comunicarlo al personale dell’assistenza; non è segreto.',
    pinSubject: 'Il tuo PIN e il tuo PUK',
    pinIntro: 'La tua nuova smart card è protetta da un PIN. Qui sotto trovi il PIN e il PUK (il codice che sblocca il PIN).',
    pukSubject: 'Il tuo PUK',
    pukOnlyIntro: 'La tua nuova smart card è protetta da un PIN che scegli tu stesso allo sportello, sul tastierino PIN, quando firmi il contratto; non è in questa lettera. Qui sotto trovi il PUK (il codice che sblocca il PIN).',
    pinLabel: 'PIN',
    pukLabel: 'PUK',
    cardLabel: 'Numero di serie della carta',
    pinAdvice: 'Digita il PIN solo sul tuo computer o sul tastierino PIN di uno sportello o di un chiosco. Dopo tre PIN errati la carta si blocca.',
    pukAdvice: 'Con il PUK puoi sbloccare la carta e scegliere un nuovo PIN. Conserva questa lettera in un luogo sicuro, lontano dalla carta.',
    separately: 'Per la tua sicurezza, il numero utente ti viene inviato con una lettera separata.',
    neverAsk: 'Non ti chiederemo mai il PIN, né per telefono, né per email, né allo sportello.',
    greeting: (name) => `Gentile ${name},`,
    closing: 'Cordiali saluti, lo sportello delle carte',
    forHolder: (name) => `Per la carta di ${name}`,
    dateLabel: 'Data',
    recoverySubject: 'Il suo codice di recupero di emergenza',
    recoveryIntro: 'Questo è il suo codice di recupero di emergenza. Se il PIN è bloccato e non ha il PUK a portata di mano, può sbloccare la carta con questo codice a un chiosco: digita questo codice, poi un codice monouso che inviamo al suo indirizzo email o al suo numero di cellulare.',
    recoveryLabel: 'Codice di recupero',
    recoveryUse: 'Solo lettere e cifre; maiuscole o minuscole, trattini e spazi non contano. Conservi questa lettera in un luogo sicuro, separata dalla carta. Nessuno dello sportello le chiederà mai questo codice.',
    recoveryOnce: 'Il codice funziona una sola volta. Dopo averlo usato, o quando ne viene emesso uno nuovo, riceve un nuovo codice per lettera e quello vecchio non funziona più.',
  },
  nl: {
    userNumberSubject: 'Uw gebruikersnummer',
    userNumberIntro: 'Er is een smartcard met uw certificaten uitgegeven. In deze brief vindt u het gebruikersnummer dat erbij hoort.',
    userNumberLabel: 'Gebruikersnummer',
    userNumberUse: 'Noem dit nummer als u contact opneemt met de helpdesk. U mag het aan medewerkers van de helpdesk geven; het is niet geheim.',
    pinSubject: 'Uw pincode en PUK',
    pinIntro: 'Uw nieuwe smartcard is beveiligd met een pincode. Hieronder staan de pincode en de PUK (de code waarmee u de pincode deblokkeert).',
    pukSubject: 'Uw PUK',
    pukOnlyIntro: 'Uw nieuwe smartcard is beveiligd met een pincode die u zelf kiest aan de balie, op het pincodetoetsenblok, wanneer u uw contract ondertekent; die staat niet in deze brief. Hieronder staat de PUK (de code waarmee u de pincode deblokkeert).',
    pinLabel: 'Pincode',
    pukLabel: 'PUK',
    cardLabel: 'Serienummer van de pas',
    pinAdvice: 'Typ de pincode alleen op uw eigen computer of op het pincodetoetsenblok van een balie of kiosk. Na drie foute pincodes wordt de pas geblokkeerd.',
    pukAdvice: 'Met de PUK kunt u de pas deblokkeren en een nieuwe pincode kiezen. Bewaar deze brief op een veilige plek, apart van de pas.',
    separately: 'Voor uw veiligheid ontvangt u uw gebruikersnummer in een aparte brief.',
    neverAsk: 'Wij vragen u nooit om uw pincode, niet telefonisch, niet per e-mail en niet aan de balie.',
    greeting: (name) => `Beste ${name},`,
    closing: 'Met vriendelijke groet, de pasbalie',
    forHolder: (name) => `Voor de pas van ${name}`,
    dateLabel: 'Datum',
    recoverySubject: 'Uw noodherstelcode',
    recoveryIntro: 'Dit is uw noodherstelcode. Is uw PIN geblokkeerd en hebt u uw PUK niet bij de hand, dan kunt u uw kaart hiermee bij een kiosk deblokkeren: u typt deze code en daarna een eenmalige code die wij naar uw e-mailadres of mobiele nummer sturen.',
    recoveryLabel: 'Herstelcode',
    recoveryUse: 'Alleen letters en cijfers; hoofdletters of kleine letters, streepjes en spaties maken niet uit. Bewaar deze brief op een veilige plek, apart van de kaart. Niemand van de balie zal u ooit om deze code vragen.',
    recoveryOnce: 'De code werkt één keer. Hebt u hem gebruikt, of wordt er een nieuwe uitgegeven, dan krijgt u per brief een nieuwe code en werkt de oude niet meer.',
  },
};
