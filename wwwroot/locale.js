// Which language a page speaks, decided before its first paint: ?locale= in the address (a one-off, for links,
// tests and audits), else the reader's choice from a language menu (localStorage), else the best match for
// navigator.languages, else English. It sets <html lang dir>, adds Bootstrap's stylesheet for that direction
// (so an Arabic page never loads the left-to-right one) and starts fetching the catalogue; i18n.js then applies
// it. The page stays hidden (styles.css, data-i18n-pending) until its text is in that language and Bootstrap is in.
// A classic script in <head>, like theme.js; the widget's loader (widget.js) negotiates the same way for its panel.

(() => {
  // Every catalogue in i18n/; en-XA is the pseudo-locale of the tests, reachable only through ?locale=.
  const Locales = ['en', 'de', 'fr', 'es', 'pt-BR', 'it', 'nl', 'pl', 'uk', 'ja', 'zh-CN', 'ar'];
  const Pseudo = 'en-XA';
  const RightToLeft = ['ar'];
  const StorageKey = 'chatbridge.locale';

  /** The supported locale for a BCP 47 tag: exact, else same language ("pt-PT" → "pt-BR", "zh-TW" → "zh-CN"). */
  function supported(tag) {
    if (typeof tag !== 'string' || tag === '') {
      return null;
    }
    const lower = tag.toLowerCase();
    const exact = Locales.find((locale) => locale.toLowerCase() === lower);
    if (exact) {
      return exact;
    }
    const language = lower.split('-')[0];
    return Locales.find((locale) => locale.toLowerCase().split('-')[0] === language) ?? null;
  }

  function stored() {
    try {
      return localStorage.getItem(StorageKey);
    } catch {
      return null; // storage refused (a framed page in some browsers): no remembered choice
    }
  }

  function negotiate() {
    const asked = new URLSearchParams(window.location.search).get('locale');
    if (asked === Pseudo) {
      return Pseudo;
    }
    for (const candidate of [asked, stored(), ...(navigator.languages ?? [navigator.language])]) {
      const locale = supported(candidate);
      if (locale) {
        return locale;
      }
    }
    return 'en';
  }

  const script = document.currentScript;
  const locale = negotiate();
  const rtl = RightToLeft.includes(locale);
  const root = document.documentElement;
  root.lang = locale;
  root.dir = rtl ? 'rtl' : 'ltr';
  root.dataset.i18nPending = '';

  const at = (path) => new URL(path, script.src).href;
  const catalogue = document.createElement('link');
  catalogue.rel = 'preload';
  catalogue.as = 'fetch';
  catalogue.crossOrigin = 'anonymous';
  catalogue.href = at(`i18n/${locale === Pseudo ? 'en' : locale}.json`);
  // A stylesheet added by a script does not hold the first paint as one in the HTML does: blocking="render" asks
  // for that where browsers know it, and i18n.js keeps the page hidden until it has loaded everywhere else.
  const bootstrap = document.createElement('link');
  bootstrap.rel = 'stylesheet';
  bootstrap.href = at(rtl ? 'lib/bootstrap/bootstrap.rtl.min.css' : 'lib/bootstrap/bootstrap.min.css');
  bootstrap.setAttribute('blocking', 'render');
  bootstrap.dataset.directionStylesheet = '';
  // Right after this script, so the page's own stylesheets that follow still override Bootstrap.
  script.after(catalogue, bootstrap);
})();
