/**
 * The words of CardDesk's email and SMS messages in every language the product speaks. Messages
 * are written in the core process (a one-time code passes through here and nowhere else), so the
 * texts live beside the sender, as the letters keep theirs in letters/letter-texts.ts; a test
 * checks every language has every kind.
 *
 * A message names only what its params give: a card serial, a date, a masked address, a user
 * number. Never a PIN, PUK or recovery code; the one-time code only in `oneTimeCode`.
 */
import type { HolderLanguage, NotificationKind } from '../account/account-ports';

type Params = Readonly<Record<string, string>>;

interface KindText {
  readonly subject: string;
  /** The message's main paragraph (also the SMS text, after the subject). */
  readonly lead: (p: Params) => string;
}

interface LanguageTexts {
  readonly greeting: (name: string) => string;
  readonly anonymousGreeting: string;
  readonly closing: string;
  readonly kinds: Readonly<Record<NotificationKind, KindText>>;
}

const v = (p: Params, key: string): string => p[key] ?? '';

export const notificationTexts: Readonly<Record<HolderLanguage, LanguageTexts>> = {
  en: {
    greeting: (name) => `Dear ${name},`,
    anonymousGreeting: 'Hello,',
    closing: 'This message was sent automatically by CardDesk; please do not reply to it. If you did not expect it, contact the helpdesk.',
    kinds: {
      cardIssued: { subject: 'Your smart card has been issued', lead: (p) => `A smart card (${v(p, 'serial')}) has been issued to you. Your PIN and PUK reach you in separate letters, never by email.` },
      cardActivated: { subject: 'Your smart card is active', lead: (p) => `Your smart card ${v(p, 'serial')} has been activated and can now be used.` },
      certificateExpiring: {
        subject: 'Your certificate expires soon',
        lead: (p) => `The certificate ${v(p, 'serial')} on your smart card expires on ${v(p, 'date')}, in ${v(p, 'days')} days. Contact the helpdesk to renew it in time.`,
      },
      cardSuspended: { subject: 'Your smart card has been suspended', lead: (p) => `Your smart card ${v(p, 'serial')} has been suspended. It cannot be used until the suspension ends.` },
      suspensionEnded: { subject: 'The suspension of your smart card has ended', lead: (p) => `The suspension of your smart card ${v(p, 'serial')} has ended. It can be used again.` },
      cardRevoked: { subject: 'Your smart card has been revoked', lead: (p) => `The certificates of your smart card ${v(p, 'serial')} have been revoked. The card can no longer be used.` },
      pinUnblocked: { subject: 'The PIN of your smart card was unblocked', lead: (p) => `The PIN of your smart card ${v(p, 'serial')} was unblocked and a new PIN was set.` },
      pinReset: { subject: 'The PIN of your smart card was reset', lead: (p) => `The PIN of your smart card ${v(p, 'serial')} was reset. The new PIN reaches you in a letter.` },
      contactChanged: { subject: 'Your contact details were changed', lead: (p) => `This address (${v(p, 'address')}) is now registered as your contact for your smart card.` },
      contactChangedOld: { subject: 'Your contact details were changed', lead: (p) => `Your contact details were changed: messages now go to ${v(p, 'address')} instead of this address.` },
      recoveryCodeIssued: { subject: 'You have a new recovery code', lead: () => 'A new emergency recovery code was issued for you. It reaches you in a letter; your previous recovery code no longer works.' },
      lostInfoRequested: { subject: 'A request for your account details', lead: () => 'Someone asked for the details of your smart card account with your personal number and this address.' },
      oneTimeCode: { subject: 'Your one-time code', lead: (p) => `Your one-time code is ${v(p, 'code')}. It is valid for ${v(p, 'minutes') || '10'} minutes. Never share it with anyone.` },
      userNumber: { subject: 'Your user number', lead: (p) => `The user number of your smart card account is ${v(p, 'userNumber')}.` },
      mobileIdEnrollment: {
        subject: 'Your mobile ID: set it up on your phone',
        lead: (p) =>
          `A mobile ID was issued to you. Scan the attached QR code with the CardDesk app on your phone, or open this link on the phone:\n\n${v(p, 'code')}\n\nThe link and the QR code work once, for ${v(p, 'minutes') || '15'} minutes (until ${v(p, 'until')} UTC). Do not forward this message: whoever uses the link first gets the mobile ID.`,
      },
      mobileIdActive: { subject: 'Your mobile ID is active', lead: (p) => `Your mobile ID (${v(p, 'labels')}) is set up on your phone and active until ${v(p, 'date')}. If you did not set it up, contact the helpdesk at once.` },
      mobileIdRefused: {
        subject: 'Your mobile ID could not be set up',
        lead: () => 'A phone tried to set up your mobile ID and was refused (its request did not fit, or the code had expired). Ask the desk for a new QR code. If it was not you, contact the helpdesk.',
      },
      test: { subject: 'CardDesk test message', lead: () => 'This is a test message from CardDesk. If you received it, the message settings work.' },
    },
  },
  sq: {
    greeting: (name) => `I/E nderuar ${name},`,
    anonymousGreeting: 'Përshëndetje,',
    closing: 'Ky mesazh u dërgua automatikisht nga CardDesk; ju lutemi mos iu përgjigjni. Nëse nuk e prisnit, kontaktoni shërbimin e ndihmës.',
    kinds: {
      cardIssued: { subject: 'Karta juaj inteligjente u lëshua', lead: (p) => `Juve ju është lëshuar një kartë inteligjente (${v(p, 'serial')}). PIN-i dhe PUK-u ju vijnë me letra të veçanta, asnjëherë me email.` },
      cardActivated: { subject: 'Karta juaj inteligjente është aktive', lead: (p) => `Karta juaj inteligjente ${v(p, 'serial')} u aktivizua dhe tani mund të përdoret.` },
      certificateExpiring: {
        subject: 'Certifikata juaj skadon së shpejti',
        lead: (p) => `Certifikata ${v(p, 'serial')} në kartën tuaj inteligjente skadon më ${v(p, 'date')}, pas ${v(p, 'days')} ditësh. Kontaktoni shërbimin e ndihmës për ta rinovuar në kohë.`,
      },
      cardSuspended: { subject: 'Karta juaj inteligjente u pezullua', lead: (p) => `Karta juaj inteligjente ${v(p, 'serial')} u pezullua. Nuk mund të përdoret derisa të mbarojë pezullimi.` },
      suspensionEnded: { subject: 'Pezullimi i kartës suaj inteligjente mbaroi', lead: (p) => `Pezullimi i kartës suaj inteligjente ${v(p, 'serial')} mbaroi. Ajo mund të përdoret përsëri.` },
      cardRevoked: { subject: 'Karta juaj inteligjente u revokua', lead: (p) => `Certifikatat e kartës suaj inteligjente ${v(p, 'serial')} u revokuan. Karta nuk mund të përdoret më.` },
      pinUnblocked: { subject: 'PIN-i i kartës suaj inteligjente u zhbllokua', lead: (p) => `PIN-i i kartës suaj inteligjente ${v(p, 'serial')} u zhbllokua dhe u vendos një PIN i ri.` },
      pinReset: { subject: 'PIN-i i kartës suaj inteligjente u rivendos', lead: (p) => `PIN-i i kartës suaj inteligjente ${v(p, 'serial')} u rivendos. PIN-i i ri ju vjen me letër.` },
      contactChanged: { subject: 'Të dhënat tuaja të kontaktit u ndryshuan', lead: (p) => `Kjo adresë (${v(p, 'address')}) tani është regjistruar si kontakti juaj për kartën inteligjente.` },
      contactChangedOld: { subject: 'Të dhënat tuaja të kontaktit u ndryshuan', lead: (p) => `Të dhënat tuaja të kontaktit u ndryshuan: mesazhet tani shkojnë te ${v(p, 'address')} në vend të kësaj adrese.` },
      recoveryCodeIssued: { subject: 'Keni një kod të ri rikuperimi', lead: () => 'Për ju u lëshua një kod i ri rikuperimi emergjent. Ai ju vjen me letër; kodi juaj i mëparshëm nuk vlen më.' },
      lostInfoRequested: { subject: 'Një kërkesë për të dhënat e llogarisë suaj', lead: () => 'Dikush kërkoi të dhënat e llogarisë së kartës suaj inteligjente me numrin tuaj personal dhe këtë adresë.' },
      oneTimeCode: { subject: 'Kodi juaj njëpërdorimësh', lead: (p) => `Kodi juaj njëpërdorimësh është ${v(p, 'code')}. Vlen për ${v(p, 'minutes') || '10'} minuta. Mos ia tregoni askujt.` },
      userNumber: { subject: 'Numri juaj i përdoruesit', lead: (p) => `Numri i përdoruesit i llogarisë së kartës suaj inteligjente është ${v(p, 'userNumber')}.` },
      mobileIdEnrollment: {
        subject: 'ID-ja juaj mobile: konfigurojeni në telefon',
        lead: (p) =>
          `Për ju u lëshua një ID mobile. Skanoni kodin QR bashkëngjitur me aplikacionin CardDesk në telefonin tuaj, ose hapni këtë lidhje në telefon:\n\n${v(p, 'code')}\n\nLidhja dhe kodi QR vlejnë një herë, për ${v(p, 'minutes') || '15'} minuta (deri në ${v(p, 'until')} UTC). Mos e përcillni këtë mesazh: kushdo që përdor lidhjen i pari merr ID-në mobile.`,
      },
      mobileIdActive: { subject: 'ID-ja juaj mobile është aktive', lead: (p) => `ID-ja juaj mobile (${v(p, 'labels')}) është konfiguruar në telefonin tuaj dhe është aktive deri më ${v(p, 'date')}. Nëse nuk e konfiguruat ju, kontaktoni menjëherë shërbimin e ndihmës.` },
      mobileIdRefused: {
        subject: 'ID-ja juaj mobile nuk u konfigurua dot',
        lead: () => 'Një telefon provoi të konfigurojë ID-në tuaj mobile dhe u refuzua (kërkesa nuk përputhej ose kodi kishte skaduar). Kërkoni një kod të ri QR në sportel. Nëse nuk ishit ju, kontaktoni shërbimin e ndihmës.',
      },
      test: { subject: 'Mesazh provë nga CardDesk', lead: () => 'Ky është një mesazh provë nga CardDesk. Nëse e morët, cilësimet e mesazheve funksionojnë.' },
    },
  },
  it: {
    greeting: (name) => `Gentile ${name},`,
    anonymousGreeting: 'Buongiorno,',
    closing: "Questo messaggio è stato inviato automaticamente da CardDesk; non rispondere. Se non te lo aspettavi, contatta l'assistenza.",
    kinds: {
      cardIssued: { subject: 'La tua smart card è stata emessa', lead: (p) => `Ti è stata emessa una smart card (${v(p, 'serial')}). Il PIN e il PUK ti arrivano con lettere separate, mai per email.` },
      cardActivated: { subject: 'La tua smart card è attiva', lead: (p) => `La tua smart card ${v(p, 'serial')} è stata attivata e ora può essere usata.` },
      certificateExpiring: {
        subject: 'Il tuo certificato scade a breve',
        lead: (p) => `Il certificato ${v(p, 'serial')} della tua smart card scade il ${v(p, 'date')}, tra ${v(p, 'days')} giorni. Contatta l'assistenza per rinnovarlo in tempo.`,
      },
      cardSuspended: { subject: 'La tua smart card è stata sospesa', lead: (p) => `La tua smart card ${v(p, 'serial')} è stata sospesa. Non può essere usata finché la sospensione non termina.` },
      suspensionEnded: { subject: 'La sospensione della tua smart card è terminata', lead: (p) => `La sospensione della tua smart card ${v(p, 'serial')} è terminata. Può essere usata di nuovo.` },
      cardRevoked: { subject: 'La tua smart card è stata revocata', lead: (p) => `I certificati della tua smart card ${v(p, 'serial')} sono stati revocati. La carta non può più essere usata.` },
      pinUnblocked: { subject: 'Il PIN della tua smart card è stato sbloccato', lead: (p) => `Il PIN della tua smart card ${v(p, 'serial')} è stato sbloccato ed è stato impostato un nuovo PIN.` },
      pinReset: { subject: 'Il PIN della tua smart card è stato reimpostato', lead: (p) => `Il PIN della tua smart card ${v(p, 'serial')} è stato reimpostato. Il nuovo PIN ti arriva con una lettera.` },
      contactChanged: { subject: 'I tuoi recapiti sono stati modificati', lead: (p) => `Questo indirizzo (${v(p, 'address')}) è ora registrato come tuo recapito per la smart card.` },
      contactChangedOld: { subject: 'I tuoi recapiti sono stati modificati', lead: (p) => `I tuoi recapiti sono stati modificati: i messaggi ora vanno a ${v(p, 'address')} invece che a questo indirizzo.` },
      recoveryCodeIssued: { subject: 'Hai un nuovo codice di recupero', lead: () => 'È stato emesso per te un nuovo codice di recupero di emergenza. Ti arriva con una lettera; il codice precedente non è più valido.' },
      lostInfoRequested: { subject: 'Una richiesta dei dati del tuo account', lead: () => "Qualcuno ha chiesto i dati dell'account della tua smart card con il tuo codice personale e questo indirizzo." },
      oneTimeCode: { subject: 'Il tuo codice monouso', lead: (p) => `Il tuo codice monouso è ${v(p, 'code')}. È valido per ${v(p, 'minutes') || '10'} minuti. Non comunicarlo a nessuno.` },
      userNumber: { subject: 'Il tuo numero utente', lead: (p) => `Il numero utente dell'account della tua smart card è ${v(p, 'userNumber')}.` },
      mobileIdEnrollment: {
        subject: 'Il tuo ID mobile: configuralo sul telefono',
        lead: (p) =>
          `Ti è stato emesso un ID mobile. Scansiona il codice QR allegato con l'app CardDesk sul tuo telefono, oppure apri questo link sul telefono:\n\n${v(p, 'code')}\n\nIl link e il codice QR funzionano una sola volta, per ${v(p, 'minutes') || '15'} minuti (fino alle ${v(p, 'until')} UTC). Non inoltrare questo messaggio: chi usa il link per primo ottiene l'ID mobile.`,
      },
      mobileIdActive: { subject: 'Il tuo ID mobile è attivo', lead: (p) => `Il tuo ID mobile (${v(p, 'labels')}) è configurato sul tuo telefono ed è attivo fino al ${v(p, 'date')}. Se non lo hai configurato tu, contatta subito l'assistenza.` },
      mobileIdRefused: {
        subject: 'Non è stato possibile configurare il tuo ID mobile',
        lead: () => "Un telefono ha provato a configurare il tuo ID mobile ed è stato rifiutato (la richiesta non era adatta o il codice era scaduto). Chiedi allo sportello un nuovo codice QR. Se non sei stato tu, contatta l'assistenza.",
      },
      test: { subject: 'Messaggio di prova di CardDesk', lead: () => 'Questo è un messaggio di prova di CardDesk. Se lo hai ricevuto, le impostazioni dei messaggi funzionano.' },
    },
  },
  nl: {
    greeting: (name) => `Beste ${name},`,
    anonymousGreeting: 'Hallo,',
    closing: 'Dit bericht is automatisch verstuurd door CardDesk; beantwoord het niet. Had u het niet verwacht, neem dan contact op met de helpdesk.',
    kinds: {
      cardIssued: { subject: 'Uw pas is uitgegeven', lead: (p) => `Er is een pas (${v(p, 'serial')}) aan u uitgegeven. Uw pincode en PUK ontvangt u in aparte brieven, nooit per e-mail.` },
      cardActivated: { subject: 'Uw pas is actief', lead: (p) => `Uw pas ${v(p, 'serial')} is geactiveerd en kan nu worden gebruikt.` },
      certificateExpiring: {
        subject: 'Uw certificaat verloopt binnenkort',
        lead: (p) => `Het certificaat ${v(p, 'serial')} op uw pas verloopt op ${v(p, 'date')}, over ${v(p, 'days')} dagen. Neem contact op met de helpdesk om het op tijd te vernieuwen.`,
      },
      cardSuspended: { subject: 'Uw pas is geschorst', lead: (p) => `Uw pas ${v(p, 'serial')} is geschorst. U kunt hem niet gebruiken tot de schorsing afloopt.` },
      suspensionEnded: { subject: 'De schorsing van uw pas is beëindigd', lead: (p) => `De schorsing van uw pas ${v(p, 'serial')} is beëindigd. U kunt hem weer gebruiken.` },
      cardRevoked: { subject: 'Uw pas is ingetrokken', lead: (p) => `De certificaten van uw pas ${v(p, 'serial')} zijn ingetrokken. De pas kan niet meer worden gebruikt.` },
      pinUnblocked: { subject: 'De pincode van uw pas is gedeblokkeerd', lead: (p) => `De pincode van uw pas ${v(p, 'serial')} is gedeblokkeerd en er is een nieuwe pincode ingesteld.` },
      pinReset: { subject: 'De pincode van uw pas is opnieuw ingesteld', lead: (p) => `De pincode van uw pas ${v(p, 'serial')} is opnieuw ingesteld. De nieuwe pincode ontvangt u per brief.` },
      contactChanged: { subject: 'Uw contactgegevens zijn gewijzigd', lead: (p) => `Dit adres (${v(p, 'address')}) is nu geregistreerd als uw contactadres voor uw pas.` },
      contactChangedOld: { subject: 'Uw contactgegevens zijn gewijzigd', lead: (p) => `Uw contactgegevens zijn gewijzigd: berichten gaan nu naar ${v(p, 'address')} in plaats van naar dit adres.` },
      recoveryCodeIssued: { subject: 'U hebt een nieuwe herstelcode', lead: () => 'Er is een nieuwe noodherstelcode voor u uitgegeven. U ontvangt hem per brief; uw vorige herstelcode werkt niet meer.' },
      lostInfoRequested: { subject: 'Een verzoek om uw accountgegevens', lead: () => 'Iemand heeft met uw persoonsnummer en dit adres de gegevens van uw account opgevraagd.' },
      oneTimeCode: { subject: 'Uw eenmalige code', lead: (p) => `Uw eenmalige code is ${v(p, 'code')}. Hij is ${v(p, 'minutes') || '10'} minuten geldig. Deel hem met niemand.` },
      userNumber: { subject: 'Uw gebruikersnummer', lead: (p) => `Uw gebruikersnummer is ${v(p, 'userNumber')}.` },
      mobileIdEnrollment: {
        subject: 'Uw mobiele ID: stel het in op uw telefoon',
        lead: (p) =>
          `Er is een mobiele ID aan u uitgegeven. Scan de bijgevoegde QR-code met de CardDesk-app op uw telefoon, of open deze link op de telefoon:\n\n${v(p, 'code')}\n\nDe link en de QR-code werken één keer, ${v(p, 'minutes') || '15'} minuten lang (tot ${v(p, 'until')} UTC). Stuur dit bericht niet door: wie de link het eerst gebruikt, krijgt de mobiele ID.`,
      },
      mobileIdActive: { subject: 'Uw mobiele ID is actief', lead: (p) => `Uw mobiele ID (${v(p, 'labels')}) is ingesteld op uw telefoon en actief tot ${v(p, 'date')}. Hebt u het niet zelf ingesteld, neem dan direct contact op met de helpdesk.` },
      mobileIdRefused: {
        subject: 'Uw mobiele ID kon niet worden ingesteld',
        lead: () => 'Een telefoon probeerde uw mobiele ID in te stellen en werd geweigerd (het verzoek paste niet of de code was verlopen). Vraag bij de balie een nieuwe QR-code. Was u het niet, neem dan contact op met de helpdesk.',
      },
      test: { subject: 'Testbericht van CardDesk', lead: () => 'Dit is een testbericht van CardDesk. Als u het hebt ontvangen, werken de instellingen voor berichten.' },
    },
  },
};

export interface RenderedMessage {
  readonly subject: string;
  /** Plain text, lines separated by \n. */
  readonly text: string;
  /** The short form for an SMS. */
  readonly sms: string;
  /** What a QR code attached to the email encodes (the mobile ID's enrollment link); a secret like the code. */
  readonly qr?: string;
}

/** The message's words in `language` (English if the language is unknown). */
export function renderMessage(kind: NotificationKind, language: HolderLanguage, params: Params): RenderedMessage {
  const texts = notificationTexts[language] ?? notificationTexts.en;
  const kindText = texts.kinds[kind];
  const name = v(params, 'name');
  const lead = kindText.lead(params);
  const greeting = name === '' ? texts.anonymousGreeting : texts.greeting(name);
  const qr = kind === 'mobileIdEnrollment' && v(params, 'code') !== '' ? { qr: v(params, 'code') } : {};
  return { subject: kindText.subject, text: `${greeting}\n\n${lead}\n\n${texts.closing}\n`, sms: `${kindText.subject}: ${lead}`, ...qr };
}
