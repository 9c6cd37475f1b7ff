// Labels come from web/i18n/<lang>.json; the choice is kept per browser.
let dict = {};
let lang = 'en';

export function currentLang() { return lang; }

// Only a choice (l) is stored: a page that merely read the stored language
// must not write it back after its fetch, or it would undo a choice made
// meanwhile in another tab (a wall screen then came up in English).
export async function loadLang(l) {
  const want = l || localStorage.getItem('iiot.lang') ||
    (navigator.language && navigator.language.startsWith('zh') ? 'zh-CN' : 'en');
  lang = want === 'zh-CN' ? 'zh-CN' : 'en';
  if (l) localStorage.setItem('iiot.lang', lang);
  const res = await fetch('/i18n/' + lang + '.json');
  dict = await res.json();
  document.documentElement.lang = lang;
  apply(document);
}

export function t(key, vars) {
  let s = dict[key] !== undefined ? dict[key] : key;
  if (vars) for (const k of Object.keys(vars)) s = s.replace('{' + k + '}', vars[k]);
  return s;
}

export function apply(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-ph]')) el.placeholder = t(el.dataset.i18nPh);
}

// Server messages arrive in English; those the dictionary knows ("srv." +
// the message) are shown in the chosen language, others as they are.
export function tServer(msg) {
  const k = 'srv.' + msg;
  return dict[k] !== undefined ? dict[k] : msg;
}
