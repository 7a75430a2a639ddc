// The pages' words, numbers and dates in the reader's language. locale.js (in <head>) chose the locale and put it
// on <html lang>; this module loads that locale's catalogue (i18n/<locale>.json, flat keys, each catalogue
// complete on its own), translates the static text marked in the HTML and gives the scripts t() and Intl
// formatters bound to the same locale.
//
// In the HTML: data-i18n="key" sets an element's text; data-i18n-attr="aria-label:key;title:key2" sets
// attributes. An element with data-i18n may hold children marked data-i18n-slot="name": the translation's {name}
// is where they go (markup stays in the HTML, never in a catalogue). Catalogue values are strings with {name}
// placeholders, or for a count, objects keyed by Intl.PluralRules category ({"one": …, "other": …}).

const root = document.documentElement;
const Pseudo = 'en-XA';

/** Each supported locale in its own language, for the language menus; the same in every catalogue. */
export const Languages = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  es: 'Español',
  'pt-BR': 'Português (Brasil)',
  it: 'Italiano',
  nl: 'Nederlands',
  pl: 'Polski',
  uk: 'Українська',
  ja: '日本語',
  'zh-CN': '简体中文',
  ar: 'العربية',
};

/** The page's locale as locale.js chose it. */
export const locale = root.lang in Languages || root.lang === Pseudo ? root.lang : 'en';
/** Intl's locale: the pseudo-locale formats as English. */
const intlLocale = locale === Pseudo ? 'en' : locale;
const pluralRules = new Intl.PluralRules(intlLocale);
const numbers = new Intl.NumberFormat(intlLocale);
const StorageKey = 'chatbridge.locale';

let messages = {};

/** The pseudo-locale: English with every string wrapped, so a test can spot text that bypassed the catalogue. */
function pseudo(catalogue) {
  const wrap = (text) => `⟦${text}⟧`;
  return Object.fromEntries(Object.entries(catalogue).map(([key, value]) => [key, typeof value === 'string'
    ? wrap(value)
    : Object.fromEntries(Object.entries(value).map(([form, text]) => [form, wrap(text)]))]));
}

async function load() {
  try {
    const file = locale === Pseudo ? 'en' : locale;
    const response = await fetch(new URL(`i18n/${file}.json`, import.meta.url));
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    const catalogue = await response.json();
    messages = locale === Pseudo ? pseudo(catalogue) : catalogue;
  } catch (error) {
    // The page stays usable in the English of its HTML; text from scripts shows its keys.
    console.error(`The ${locale} catalogue did not load: ${error.message}`);
  }
  translate(document);
  await stylesheetLoaded();
  delete root.dataset.i18nPending;
}

/** Bootstrap's stylesheet as locale.js added it: the page shows only once it is in, so nothing shifts. */
function stylesheetLoaded() {
  const link = document.querySelector('link[data-direction-stylesheet]');
  if (link === null || link.sheet !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
  });
}

/** Resolves once the catalogue is loaded and the page's static text translated. */
export const ready = load();

function formatParam(value) {
  return typeof value === 'number' ? numbers.format(value) : String(value);
}

/**
 * The text for `key` with its {placeholders} filled; numbers in params are formatted for the locale. A plural
 * entry picks its form by `params.count`.
 */
export function t(key, params = {}) {
  let text = messages[key];
  if (text !== null && typeof text === 'object') {
    text = text[pluralRules.select(Number(params.count ?? 0))] ?? text.other;
  }
  if (typeof text !== 'string') {
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? formatParam(params[name]) : whole));
}

/** Applies data-i18n and data-i18n-attr under `scope`. */
export function translate(scope) {
  for (const element of scope.querySelectorAll('[data-i18n]')) {
    const text = t(element.dataset.i18n);
    const slots = [...element.querySelectorAll('[data-i18n-slot]')];
    if (slots.length === 0) {
      element.textContent = text;
      continue;
    }
    const byName = new Map(slots.map((slot) => [slot.dataset.i18nSlot, slot]));
    const parts = text.split(/\{(\w+)\}/);
    element.replaceChildren(...parts.map((part, index) => (index % 2 === 1 ? byName.get(part) ?? `{${part}}` : part)));
  }
  for (const element of scope.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of element.dataset.i18nAttr.split(';')) {
      const [name, key] = pair.split(':').map((part) => part.trim());
      element.setAttribute(name, t(key));
    }
  }
}

// Numbers, dates and times, by Intl in the page's locale.

export function formatNumber(value, options) {
  return options ? new Intl.NumberFormat(intlLocale, options).format(value) : numbers.format(value);
}

function parse(timestamp) {
  const date = timestamp instanceof Date ? timestamp : new Date(timestamp);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A timestamp as the reader's local time, with the date too if asked; the raw text when it does not parse. */
export function formatTime(timestamp, { withDate = false } = {}) {
  const date = parse(timestamp);
  if (date === null) {
    return String(timestamp ?? '');
  }
  const options = withDate ? { dateStyle: 'medium', timeStyle: 'short' } : { hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(intlLocale, options).format(date);
}

/** Date and time parts in a given zone, for the dashboard's UTC axes: `{ month: 'short', day: 'numeric' }`. */
export function formatDate(timestamp, options) {
  const date = parse(timestamp);
  return date === null ? String(timestamp ?? '') : new Intl.DateTimeFormat(intlLocale, options).format(date);
}

const RelativeUnits = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];

/** "5 min ago", "vor 5 Min.", "قبل ٥ دقائق": how long ago a timestamp was, from `now`. */
export function formatRelative(timestamp, now = Date.now()) {
  const date = parse(timestamp);
  if (date === null) {
    return String(timestamp ?? '');
  }
  const seconds = Math.round((date.getTime() - now) / 1000);
  const [unit, size] = RelativeUnits.find(([, length]) => Math.abs(seconds) >= length) ?? ['second', 1];
  return new Intl.RelativeTimeFormat(intlLocale, { numeric: 'always', style: 'short' }).format(Math.trunc(seconds / size), unit);
}

/**
 * A duration in at most two units: "45 s", "12 min", "3 h 5 min", "2 d 4 h". The units' words and plural forms
 * are the catalogue's (duration.*), the numbers Intl's.
 */
export function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const unit = (name, count) => t(`duration.${name}`, { count });
  if (seconds < 60) {
    return unit('seconds', seconds);
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return unit('minutes', minutes);
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return minutes % 60 === 0 ? unit('hours', hours) : t('duration.pair', { major: unit('hours', hours), minor: unit('minutes', minutes % 60) });
  }
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? unit('days', days) : t('duration.pair', { major: unit('days', days), minor: unit('hours', hours % 24) });
}

/** A size as people read it, in binary units and the locale's numbers: 812 B, 14 KB, 3.1 MB, 2.4 GB. */
export function formatSize(bytes) {
  const units = [['kilobyte', 1024], ['megabyte', 1024 ** 2], ['gigabyte', 1024 ** 3]];
  const [unit, size] = units.findLast(([, length]) => bytes >= length) ?? ['byte', 1];
  return formatNumber(bytes / size, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 });
}

/** "api_key, admin_key" / "api_key und admin_key": a list as the locale writes it. */
export function formatList(items) {
  return new Intl.ListFormat(intlLocale, { type: 'conjunction' }).format(items);
}

// The bridge's error texts are its contract and stay English; the pages show each one in the reader's language.

const ApiErrors = {
  'Missing action parameter': 'api.missingAction',
  'Invalid action': 'api.invalidAction',
  'Method not allowed': 'api.methodNotAllowed',
  'Invalid JSON': 'api.invalidJson',
  'Missing required fields': 'api.missingFields',
  'Invalid session ID': 'api.invalidSessionId',
  'Invalid message': 'api.invalidMessage',
  'Missing session_id': 'api.missingSessionId',
  'Authentication required': 'api.authenticationRequired',
  'Invalid API key': 'api.invalidApiKey',
  'Invalid admin key': 'api.invalidAdminKey',
  'Rate limit exceeded': 'api.rateLimited',
  'Invalid session': 'api.invalidSession',
  'Session not found': 'api.sessionNotFound',
  'Endpoint not found': 'api.endpointNotFound',
  'Internal server error': 'api.internalError',
  'Request body too large': 'api.tooLarge',
  'Invalid request body': 'api.invalidBody',
  'Invalid response': 'api.invalidResponse',
  'Invalid message_id': 'api.invalidMessageId',
  'Invalid timestamp': 'api.invalidTimestamp',
  'Invalid agent_id': 'api.invalidAgentId',
  'Service busy, retry shortly': 'api.busy',
  'Database unavailable, retry shortly': 'api.databaseUnavailable',
  'Storage full: the message could not be stored, retry later': 'api.storageFull',
  'Storage unavailable: writes are stopped until the service restarts': 'api.storageUnavailable',
  'api_key and admin_key must differ': 'api.keysMustDiffer',
  'WebSocket upgrade required': 'api.webSocketRequired',
  'Origin not allowed': 'api.originNotAllowed',
  'Invalid state: expected "start" or "stop"': 'api.invalidTypingState',
  'Invalid username or password': 'api.invalidCredentials',
  'Account is deactivated': 'api.accountDeactivated',
  'Admin access required': 'api.adminRequired',
  'File too large': 'api.fileTooLarge',
  'Unsupported file type': 'api.unsupportedFileType',
  'Empty file': 'api.emptyFile',
  'Image dimensions too large': 'api.imageTooLarge',
  'Only one file per upload': 'api.oneFilePerUpload',
  'Upload limit reached, retry later': 'api.uploadLimit',
  'Invalid attachments': 'api.invalidAttachments',
  'Too many attachments': 'api.tooManyAttachments',
  'File not found': 'api.fileNotFound',
  'Invalid session token': 'api.invalidSessionToken',
  'Not your session': 'api.notYourSession',
  // api.js's own, for a server that cannot be reached.
  "Can't reach the server.": 'api.unreachable',
};

// The texts that name a parameter or a setting (src/ChatBridge/Http/Errors.cs), most specific first.
const ApiErrorPatterns = [
  // api.js's own, for an answer without the envelope (a proxy's error page).
  [/^The server answered (\d+)\.$/, 'api.status', ['status']],
  [/^Invalid (\w+) parameter$/, 'api.invalidParameter', ['name']],
  [/^Unknown config key: (.+)$/, 'api.unknownSetting', ['name']],
  [/^Invalid value for (\w+): (?:expected )?an integer from (-?\d+) to (-?\d+)(?:, got .+)?$/, 'api.settingRange', ['name', 'min', 'max']],
  [/^Invalid value for (\w+): must be .+$/, 'api.keyRule', ['name']],
  [/^Invalid value for (\w+): .+$/, 'api.settingType', ['name']],
];

/** The reader's words for an error text of the bridge's API; one the pages do not know is shown as it came. */
export function apiErrorText(message) {
  if (message in ApiErrors) {
    return t(ApiErrors[message]);
  }
  for (const [pattern, key, names] of ApiErrorPatterns) {
    const match = pattern.exec(message);
    if (match) {
      const params = Object.fromEntries(names.map((name, index) => {
        const value = match[index + 1];
        return [name, /^-?\d+$/.test(value) ? Number(value) : value];
      }));
      return t(key, params);
    }
  }
  return t('api.unknown', { message });
}

// The language menu.

/**
 * Fills a <select> with the supported languages, each named in itself, and calls `choose` with the picked locale.
 * By default the choice is remembered in this browser and the page reloads in it.
 */
export function languageMenu(select, choose = rememberAndReload) {
  select.replaceChildren(...Object.entries(Languages).map(([code, name]) => {
    const option = document.createElement('option');
    option.value = code;
    option.lang = code;
    option.translate = false;
    option.textContent = name;
    return option;
  }));
  select.value = locale in Languages ? locale : 'en';
  select.addEventListener('change', () => choose(select.value));
}

function rememberAndReload(chosen) {
  const url = new URL(window.location.href);
  try {
    localStorage.setItem(StorageKey, chosen);
    url.searchParams.delete('locale');
  } catch {
    url.searchParams.set('locale', chosen); // storage refused: the address carries the choice for this visit
  }
  window.location.replace(url);
}
