// The colour theme (Bootstrap's data-bs-theme): the reader's choice if they made one with
// the navbar's toggle (kept in localStorage), else the system's, followed as it changes.
// Loaded in <head>, before the stylesheets, so the page is first drawn in its theme.
(() => {
  const KEY = 'theme';
  const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
  let choice = null;
  try {
    choice = localStorage.getItem(KEY);
  } catch {
    // storage refused (a privacy setting): follow the system
  }

  function current() {
    return choice || (systemDark.matches ? 'dark' : 'light');
  }

  function apply() {
    const theme = current();
    document.documentElement.dataset.bsTheme = theme;
    for (const toggle of document.querySelectorAll('[data-theme-toggle]')) {
      toggle.setAttribute('aria-pressed', String(theme === 'dark'));
    }
  }

  apply();
  systemDark.addEventListener('change', apply);
  document.addEventListener('DOMContentLoaded', () => {
    apply();
    for (const toggle of document.querySelectorAll('[data-theme-toggle]')) {
      toggle.addEventListener('click', () => {
        choice = current() === 'dark' ? 'light' : 'dark';
        try {
          localStorage.setItem(KEY, choice);
        } catch {
          // nowhere to remember it: the choice holds for this page only
        }
        apply();
      });
    }
  });
})();
