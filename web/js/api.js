// Talks to iiotd's REST API: JSON in and out, the CSRF token on every
// state change, errors surfaced with the server's reason (translated
// where the dictionary knows it).
import { tServer } from './i18n.js';
let csrf = '';

let unauthorized = null;
let bearer = '';	// a kiosk's token (views/kiosk.js): no cookie, no CSRF

export function setCsrf(t) { csrf = t || ''; }
export function setBearer(t) { bearer = t || ''; }
// called when a request is refused with 401: the session has ended
export function onUnauthorized(f) { unauthorized = f; }

export class ApiError extends Error {
  // data: the server's whole answer (a refused rule names its key and column)
  constructor(status, reason, data) { super(reason); this.status = status; this.data = data; }
}

// text: a body sent as it is (an imported file: the server says what is wrong with it)
export async function api(method, path, body, text) {
  const opt = { method, headers: {}, credentials: bearer ? 'omit' : 'same-origin' };
  if (bearer) opt.headers.Authorization = 'Bearer ' + bearer;
  if (method !== 'GET') opt.headers['X-CSRF-Token'] = csrf;
  if (body !== undefined || text !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = text !== undefined ? text : JSON.stringify(body);
  }
  const res = await fetch('/api/v1' + path, opt);
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && unauthorized && !path.startsWith('/login') && path !== '/session') unauthorized();
  if (!res.ok) throw new ApiError(res.status, tServer((data && data.error) || res.statusText), data);
  return data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b === undefined ? {} : b);
export const put = (p, b) => api('PUT', p, b);
export const patch = (p, b) => api('PATCH', p, b);
export const del = (p) => api('DELETE', p);
export const postText = (p, text) => api('POST', p, undefined, text);
