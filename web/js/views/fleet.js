// Fleet mode (docs/north.md, "Fleet mode"): the site selector in the top
// bar and the Fleet page, #/fleet[?site=GROUP[&node=EDGE]]: the sites, a
// site's IPCs (edge nodes) with their Sparkplug session, an IPC's devices.
// Both only while iiotd runs as the platform (GET /fleet/sites answers).
import { get } from '../api.js';
import { fmtTime, h, table } from '../dom.js';
import { t } from '../i18n.js';

let known = null;	// the sites last listed, null: fleet mode off or unknown

async function sites() {
  try {
    const r = await get('/fleet/sites');
    known = r.enabled ? r.sites : null;
  } catch (e) {
    known = null;
  }
  return known;
}

// The selector before the alert bar, and the nav link: shown while fleet
// mode is on for a signed-in session that may read devices.
export async function fleetBar(app, full) {
  let sel = document.getElementById('fleet-site');
  const link = document.getElementById('nav-fleet');
  if (!sel) {
    sel = h('select', { id: 'fleet-site', hidden: true, onchange: () => {
      app.go(sel.value ? '#/fleet?site=' + encodeURIComponent(sel.value) : '#/fleet');
    } });
    document.getElementById('alertbar').before(sel);
  }
  const on = full && app.can('device.read') && (await sites()) !== null;
  sel.hidden = !on;
  if (link) link.hidden = !on;
  if (!on) return;
  sel.setAttribute('aria-label', t('fleet.site_label'));
  const cur = new URLSearchParams((location.hash.split('?')[1]) || '').get('site') || '';
  sel.replaceChildren(h('option', { value: '' }, t('fleet.all_sites')),
    ...known.map((s) => h('option', { value: s.group, selected: s.group === cur }, s.group)));
}

const health = (x) => h('span', { class: 'health-' + x, dataset: { health: x } }, t('fleet.health.' + x));

export async function page(main, app, query) {
  const q = new URLSearchParams(query || '');
  const site = q.get('site') || '', node = q.get('node') || '';
  const sel = document.getElementById('fleet-site');
  if (sel && sel.value !== site) sel.value = site;
  main.append(h('h1', { id: 'fleet-title' }, site ? t('fleet.site_title', { site }) : t('fleet.title')));
  if (!site) {
    const list = await sites();
    if (list === null) { main.append(h('p', { class: 'muted' }, t('fleet.off'))); return; }
    main.append(h('div', { class: 'card', id: 'fleet-sites' },
      table([t('fleet.site'), t('fleet.ipcs'), t('fleet.devices'), t('fleet.alerts'), t('fleet.health')],
        list.map((s) => [h('a', { href: '#/fleet?site=' + encodeURIComponent(s.group), dataset: { site: s.group } }, s.group),
          s.nodes_online + ' / ' + s.nodes, s.devices_online + ' / ' + s.devices, String(s.alerts), health(s.health)]))));
    return;
  }
  const r = await get('/fleet/sites/' + encodeURIComponent(site) + '/nodes');
  main.append(h('div', { class: 'card', id: 'fleet-nodes' }, h('h2', {}, t('fleet.ipc_list')),
    table([t('fleet.ipc'), t('fleet.health'), t('fleet.devices'), t('fleet.alerts'), 'bdSeq', t('fleet.seq_gaps'), t('fleet.last_seen')],
      r.nodes.map((n) => [h('a', { href: '#/fleet?site=' + encodeURIComponent(site) + '&node=' + encodeURIComponent(n.edge), dataset: { node: n.edge } }, n.edge),
        health(n.health), n.devices_online + ' / ' + n.devices, String(n.alerts), String(n.bdseq), String(n.seq_gaps),
        n.last_seen ? fmtTime(n.last_seen) : '-']))));
  if (!node) return;
  const d = await get('/fleet/sites/' + encodeURIComponent(site) + '/nodes/' + encodeURIComponent(node) + '/devices');
  main.append(h('div', { class: 'card', id: 'fleet-devices' }, h('h2', {}, t('fleet.devices_of', { node })),
    table([t('col.name'), t('col.kind'), t('fleet.station'), t('fleet.lifecycle'), t('fleet.health'), t('fleet.frames'), t('fleet.errors')],
      d.devices.map((x) => [h('span', { dataset: { device: x.device } }, x.device), x.kind ? t('kind.' + x.kind) : '-', x.station || '-',
        x.lifecycle || '-', health(x.health), String(x.frames), String(x.errors)]))));
}
