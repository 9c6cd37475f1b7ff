// How values read to an engineer: human names for kinds and states,
// identifiers in hex as they are written, times with their zone.
import { h, fmtTime } from './dom.js';
import { t } from './i18n.js';

// identifiers engineers write in hex: station addresses, FrameIDs, vendor
// and product codes (ring positions and counters stay decimal)
const HEX = { station_addr: 4, station_alias: 4, frame_ids: 4, frame_id: 4, vendor_id: 8, product_code: 8, device_id: 4,
  revision: 8, al_status_code: 4, role: 2, pd_in_lad: 8, pd_out_lad: 8 };
export const hex = (v, w) => '0x' + Number(v).toString(16).toUpperCase().padStart(w || 4, '0');

export function fieldValue(k, v) {
  if (v === undefined || v === null || v === '') return '-';
  if (Array.isArray(v)) return v.length ? v.map((x) => fieldValue(k, x)).join(', ') : '-';
  if (k.endsWith('_ns')) return fmtTime(v / 1e6);
  if (k === 'kind') return t('kind.' + v);
  if (k === 'lifecycle') return t('lc.' + v);
  if (k === 'online') return t(v ? 'state.online' : 'state.offline');
  if (k === 'parent') return h('a', { href: '#/device/' + v }, '#' + v);
  if (HEX[k] && typeof v === 'number') return hex(v, HEX[k]);
  return String(v);
}

