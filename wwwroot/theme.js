// Light or dark, on every page: the system setting until the reader picks one with the toggle, then that
// choice (kept in localStorage). A classic script in <head>, so the theme is set before the first paint.

(() => {
  const StorageKey = 'chatbridge.theme';
  const system = window.matchMedia('(prefers-color-scheme: dark)');

  function stored() {
    const value = localStorage.getItem(StorageKey);
    return value === 'dark' || value === 'light' ? value : null;
  }

  function current() {
    return stored() ?? (system.matches ? 'dark' : 'light');
  }

  function apply() {
    const theme = current();
    document.documentElement.dataset.bsTheme = theme;
    for (const toggle of document.querySelectorAll('[data-theme-toggle]')) {
      toggle.setAttribute('aria-pressed', String(theme === 'dark'));
    }
  }

  apply();
  system.addEventListener('change', apply);
  document.addEventListener('DOMContentLoaded', () => {
    for (const toggle of document.querySelectorAll('[data-theme-toggle]')) {
      toggle.addEventListener('click', () => {
        localStorage.setItem(StorageKey, current() === 'dark' ? 'light' : 'dark');
        apply();
      });
    }
    apply();
  });
})();
