// The EdgeVPN web UI: a single-page app under /app over the node's JSON API (spec 11). No
// framework and no request beyond this node; ledger data is untrusted (any network member writes
// it), so every value reaches the page through text nodes, never as HTML.

const POLL_MS = 3000;
const BASE = '/app';

// ---------------------------------------------------------------- DOM helpers

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.setAttribute('class', value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}
const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
const svg = (tag, attrs, ...children) =>
  build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);

function badge(flag, yes = 'yes', no = 'no') {
  return h('span', { class: `badge ${flag ? 'yes' : 'no'}` }, flag ? yes : no);
}

// A table body filled from rows, or one "empty" row spanning the columns.
function table(name, columns, rows, emptyText) {
  const body = rows.length
    ? rows
    : [h('tr', {}, h('td', { class: 'empty', colspan: columns.length }, emptyText))];
  return h('div', { class: 'panel' },
    h('table', { 'data-table': name },
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, body)));
}

const mono = (text) => h('span', { class: 'mono' }, text);
const shortId = (id) => (id && id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id || '');
const byString = (key) => (a, b) => String(a[key] ?? '').localeCompare(String(b[key] ?? ''));

// Ledger values are JSON text; show objects indented and plain strings as they are.
function prettyValue(text) {
  try {
    const value = JSON.parse(text);
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------- API

class ApiError extends Error {}

async function api(path, options = {}) {
  const response = await fetch(path, { cache: 'no-store', ...options });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const detail = body && typeof body === 'object' && body.message ? body.message : null;
    throw new ApiError(detail || `${response.status} ${text || response.statusText}`.trim());
  }
  return body;
}
const segment = (text) => encodeURIComponent(text);

// ---------------------------------------------------------------- pages
//
// A page names the GET endpoints it needs and builds its view once (forms keep their input);
// update() refills the data parts after every poll with {endpoint: body or ApiError}.

const pages = [];
function page(route, title, endpoints, mount) {
  pages.push({ route, title, endpoints, mount });
}

function errorOf(data, ...endpoints) {
  for (const e of endpoints) if (data[e] instanceof Error) return data[e];
  return null;
}
function notice(text) {
  return h('p', { class: 'notice' }, text);
}

page('', 'Summary', ['/api/summary'], (root) => {
  root.append(h('h1', {}, 'Summary'),
    h('p', { class: 'lead' }, 'This node and what it sees of the network ledger.'));
  const body = root.appendChild(h('div', { id: 'summary' }));
  return (data) => {
    const error = errorOf(data, '/api/summary');
    if (error) {
      body.replaceChildren(notice(`The node has not joined the network yet (${error.message}).`));
      return;
    }
    const s = data['/api/summary'];
    const card = (label, value, key) =>
      h('div', { class: 'card', 'data-summary': key },
        h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
    body.replaceChildren(h('div', { class: 'cards' },
      h('div', { class: 'card wide', 'data-summary': 'NodeID' },
        h('div', { class: 'label' }, 'Node ID'), h('div', { class: 'value' }, s.NodeID)),
      card('Ledger height', s.BlockChain, 'BlockChain'),
      card('On-chain nodes', s.OnChainNodes, 'OnChainNodes'),
      card('Peers', s.Peers, 'Peers'),
      card('Machines', s.Machines, 'Machines'),
      card('Services', s.Services, 'Services'),
      card('Users', s.Users, 'Users'),
      card('Files', s.Files, 'Files')));
  };
});

page('machines', 'Machines', ['/api/machines'], (root) => {
  root.append(h('h1', {}, 'Machines'),
    h('p', { class: 'lead' }, 'VPN members announced in the ledger (machines bucket).'));
  const body = root.appendChild(h('div'));
  return (data) => {
    const error = errorOf(data, '/api/machines');
    if (error) return body.replaceChildren(notice(error.message));
    const rows = [...data['/api/machines']].sort(byString('Address')).map((m) =>
      h('tr', { 'data-peer-id': m.PeerID },
        h('td', {}, mono(m.Address)), h('td', {}, m.Hostname),
        h('td', {}, [m.OS, m.Arch].filter(Boolean).join(' / ')), h('td', {}, m.Version),
        h('td', { title: m.PeerID }, mono(m.PeerID)),
        h('td', {}, badge(m.Online)), h('td', {}, badge(m.OnChain)), h('td', {}, badge(m.Connected))));
    body.replaceChildren(table('machines',
      ['Address', 'Hostname', 'OS', 'Version', 'Peer ID', 'Online', 'On chain', 'Connected'],
      rows, 'No machine has announced itself (nodes running the VPN appear here).'));
  };
});

function namedPage(route, title, lead, endpoint, columns, cells, emptyText) {
  page(route, title, [endpoint], (root) => {
    root.append(h('h1', {}, title), h('p', { class: 'lead' }, lead));
    const body = root.appendChild(h('div'));
    return (data) => {
      const error = errorOf(data, endpoint);
      if (error) return body.replaceChildren(notice(error.message));
      const rows = [...data[endpoint]].sort(byString(columns[0] === 'Name' ? 'Name' : 'PeerID'))
        .map((item) => h('tr', {}, cells(item).map((c) => h('td', {}, c))));
      body.replaceChildren(table(route, columns, rows, emptyText));
    };
  });
}
namedPage('services', 'Services', 'TCP services exposed with service-add.', '/api/services',
  ['Name', 'Peer ID'], (s) => [h('strong', {}, s.Name), mono(s.PeerID)],
  'No service is exposed on the network.');
namedPage('users', 'Users', 'Peers that connected to services or received files.', '/api/users',
  ['Peer ID', 'Since'], (u) => [mono(u.PeerID), u.Timestamp], 'No user is registered.');
namedPage('files', 'Files', 'Files shared with file-send.', '/api/files',
  ['Name', 'Peer ID'], (f) => [h('strong', {}, f.Name), mono(f.PeerID)],
  'No file is shared on the network.');

page('peers', 'Peers', ['/api/summary', '/api/nodes', '/api/peerstore', '/api/machines'], (root) => {
  root.append(h('h1', {}, 'Peers'),
    h('p', { class: 'lead' },
      'This node in the middle; solid lines to peers it knows directly (peerstore), dashed to '
      + 'nodes seen only on the ledger.'),
    h('div', { class: 'legend' },
      h('span', {}, h('span', { class: 'dot self' }), 'this node'),
      h('span', {}, h('span', { class: 'dot online' }), 'online (on chain or heartbeat)'),
      h('span', {}, h('span', { class: 'dot known' }), 'known, not seen online')));
  const graphBox = root.appendChild(h('div', { class: 'panel' }));
  const listBox = root.appendChild(h('div'));
  return (data) => {
    const error = errorOf(data, '/api/nodes', '/api/peerstore');
    if (error) return graphBox.replaceChildren(notice(error.message));
    const self = data['/api/summary'] instanceof Error ? '' : data['/api/summary'].NodeID;
    const peers = new Map();
    const entry = (id) => {
      if (!peers.has(id)) peers.set(id, { id, online: false, known: false, machine: null });
      return peers.get(id);
    };
    for (const n of data['/api/nodes'] || []) entry(n.ID).online = true;
    for (const p of data['/api/peerstore'] || []) entry(p.ID).known = true;
    const machines = data['/api/machines'] instanceof Error ? [] : data['/api/machines'];
    for (const m of machines) if (m.PeerID) entry(m.PeerID).machine = m;
    if (self) entry(self);
    const others = [...peers.values()].filter((p) => p.id !== self)
      .sort((a, b) => a.id.localeCompare(b.id));

    const width = 760;
    const height = Math.max(360, Math.min(560, 260 + others.length * 12));
    const cx = width / 2, cy = height / 2;
    const [rx, ry] = [cx - 110, cy - 50];  // an ellipse, wide like the panel
    const place = (i) => {
      // Rotated by half a step, so two peers sit left and right rather than on a vertical line.
      const step = (2 * Math.PI) / Math.max(others.length, 1);
      const angle = -Math.PI / 2 + step / 2 + step * i;
      return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)];
    };
    const nodeView = (p, x, y, role) => {
      const label = p.machine && p.machine.Hostname ? p.machine.Hostname : shortId(p.id);
      const sub = role === 'self' ? 'this node' : p.machine ? p.machine.Address : shortId(p.id);
      return svg('g', {
        class: `peer ${role} ${p.online ? 'online' : ''}`.trim(), 'data-peer-id': p.id,
        transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
      },
      svg('title', {}, p.id),
      svg('circle', { r: role === 'self' ? 16 : 11 }),
      svg('text', { y: role === 'self' ? -24 : -17 }, label),
      label !== sub ? svg('text', { class: 'sub', y: role === 'self' ? 32 : 26 }, sub) : null);
    };
    const edges = [], views = [];
    others.forEach((p, i) => {
      const [x, y] = place(i);
      edges.push(svg('line', {
        class: `edge ${p.known ? '' : 'chain'}`.trim(), x1: cx, y1: cy, x2: x.toFixed(1),
        y2: y.toFixed(1), 'data-peer-id': p.id,
      }));
      views.push(nodeView(p, x, y, 'peer'));
    });
    if (self) views.push(nodeView(peers.get(self), cx, cy, 'self'));
    graphBox.replaceChildren(svg('svg', {
      class: 'graph', id: 'peer-graph', viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-label': `Peer graph: ${others.length} peers`,
    }, edges, views));

    const rows = [...peers.values()].sort((a, b) =>
      (b.id === self) - (a.id === self) || a.id.localeCompare(b.id)).map((p) =>
      h('tr', { 'data-peer-id': p.id },
        h('td', {}, mono(p.id), p.id === self ? [' ', h('span', { class: 'badge self' }, 'this node')] : null),
        h('td', {}, badge(p.online)), h('td', {}, badge(p.known)),
        h('td', {}, p.machine ? `${p.machine.Address} ${p.machine.Hostname}`.trim() : '')));
    listBox.replaceChildren(h('h2', {}, 'Nodes'),
      table('peers', ['Peer ID', 'Online', 'In peerstore', 'Machine'], rows, 'No peer yet.'));
  };
});

page('dns', 'DNS', ['/api/dns'], (root) => {
  root.append(h('h1', {}, 'DNS'),
    h('p', { class: 'lead' },
      'Records served by the nodes\' DNS servers (--dns); names are regular expressions.'));
  const body = root.appendChild(h('div'));
  const message = h('div', { class: 'form-message', role: 'status', id: 'dns-message' });
  const regex = h('input', { name: 'regex', placeholder: 'name regex, e.g. web.example.', required: true, 'aria-label': 'Name (regex)' });
  const type = h('select', { name: 'type', 'aria-label': 'Record type' },
    ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'PTR', 'SRV'].map((t) => h('option', { value: t }, t)));
  const value = h('input', { name: 'value', placeholder: 'value, e.g. 10.1.0.2', required: true, 'aria-label': 'Record value' });
  const submit = h('button', { type: 'submit' }, 'Add record');
  const form = h('form', { class: 'inline', id: 'dns-form' }, regex, type, value, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.className = 'form-message';
    message.textContent = 'Sending…';
    try {
      const records = { [type.value]: value.value.trim() };
      const reply = await api('/api/dns', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ Regex: regex.value.trim(), Records: records }),
      });
      message.textContent = `${reply && reply.State ? reply.State : 'Sent'}: ${regex.value.trim()} ${type.value} ${value.value.trim()}`;
      value.value = '';
      refresh();
    } catch (e) {
      message.className = 'form-message error';
      message.textContent = e.message;
    } finally {
      submit.disabled = false;
    }
  });
  root.append(h('h2', {}, 'Add a record'), form, message);
  const deleting = new Set();  // regexes whose delete is announcing
  let last = null;
  async function remove(regex) {
    deleting.add(regex);
    render();
    try {
      await api(`/api/ledger/dns/${segment(regex)}`, { method: 'DELETE' });
    } catch (e) {
      deleting.delete(regex);
      message.className = 'form-message error';
      message.textContent = e.message;
    }
    render();
    refresh();
  }
  function render() {
    const error = errorOf(last, '/api/dns');
    if (error) return body.replaceChildren(notice(error.message));
    const items = [...last['/api/dns']].sort(byString('Regex'));
    for (const r of [...deleting]) if (!items.some((i) => i.Regex === r)) deleting.delete(r);
    const rows = items.map((item) => h('tr', { 'data-regex': item.Regex },
      h('td', {}, mono(item.Regex)),
      h('td', {}, Object.entries(item.Records || {}).map(([t, v]) =>
        h('div', {}, h('strong', {}, t), ' ', mono(v)))),
      h('td', {}, h('button', {
        class: 'danger', type: 'button', disabled: deleting.has(item.Regex),
        'aria-label': `Delete DNS record ${item.Regex}`, onclick: () => remove(item.Regex),
      }, deleting.has(item.Regex) ? 'Deleting…' : 'Delete'))));
    body.replaceChildren(table('dns', ['Name (regex)', 'Records', ''], rows, 'No DNS record.'));
  }
  return (data) => {
    last = data;
    render();
  };
});

page('ledger', 'Ledger', ['/api/ledger', '/api/blockchain'], (root) => {
  root.append(h('h1', {}, 'Ledger'),
    h('p', { class: 'lead' }, 'The shared blockchain: its last block and every bucket, key and value.'));
  const blockBox = root.appendChild(h('div', { class: 'panel', id: 'block' }));
  const browser = root.appendChild(h('div', { class: 'ledger' }));
  const bucketList = h('ul', { class: 'buckets', id: 'buckets', 'aria-label': 'Buckets' });
  const keysBox = h('div', { id: 'keys' });
  browser.append(h('div', { class: 'panel' }, bucketList), keysBox);

  const message = h('div', { class: 'form-message', role: 'status', id: 'ledger-message' });
  const putBucket = h('input', { name: 'bucket', placeholder: 'bucket', required: true, 'aria-label': 'Bucket' });
  const putKey = h('input', { name: 'key', placeholder: 'key', required: true, 'aria-label': 'Key' });
  const putValue = h('input', { name: 'value', placeholder: 'value', required: true, 'aria-label': 'Value' });
  const putButton = h('button', { type: 'submit' }, 'Put');
  const form = h('form', { class: 'inline', id: 'ledger-form' }, putBucket, putKey, putValue, putButton);
  root.append(h('h2', {}, 'Write a key'), form, message);

  let selected = null;           // bucket shown on the right
  let last = null;               // latest poll, to re-render on clicks
  const deleting = new Set();    // "bucket\0key" whose delete is announcing

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    putButton.disabled = true;
    const [b, k, v] = [putBucket.value.trim(), putKey.value.trim(), putValue.value];
    try {
      const reply = await api(`/api/ledger/${segment(b)}/${segment(k)}/${segment(v)}`, { method: 'PUT' });
      message.className = 'form-message';
      message.textContent = `${reply && reply.State ? reply.State : 'Sent'}: ${b}/${k}`;
      selected = b;
      putKey.value = '';
      putValue.value = '';
      refresh();
    } catch (e) {
      message.className = 'form-message error';
      message.textContent = e.message;
    } finally {
      putButton.disabled = false;
    }
  });

  async function remove(bucket, key) {
    const id = `${bucket}\0${key}`;
    deleting.add(id);
    render();
    try {
      await api(`/api/ledger/${segment(bucket)}/${segment(key)}`, { method: 'DELETE' });
      message.className = 'form-message';
      message.textContent = `Deleting ${bucket}/${key}…`;
    } catch (e) {
      deleting.delete(id);
      message.className = 'form-message error';
      message.textContent = e.message;
    }
    render();
    refresh();
  }

  function render() {
    if (!last) return;
    const ledgerError = errorOf(last, '/api/ledger');
    const block = last['/api/blockchain'];
    if (block instanceof Error) {
      blockBox.replaceChildren(notice(block.message));
    } else if (block) {
      const field = (name, value) => [h('dt', {}, name), h('dd', { 'data-block': name }, value)];
      blockBox.replaceChildren(h('dl', { class: 'block-info' },
        field('Height', block.Index), field('Timestamp', block.Timestamp),
        field('Hash', block.Hash || '—'), field('Previous hash', block.PrevHash || '—')));
    }
    if (ledgerError) {
      keysBox.replaceChildren(notice(ledgerError.message));
      return;
    }
    const ledger = last['/api/ledger'] || {};
    const names = Object.keys(ledger).sort();
    for (const id of [...deleting]) {
      const [b, k] = id.split('\0');
      if (!(ledger[b] && k in ledger[b])) deleting.delete(id);
    }
    // A bucket stays selected after its last key goes (it shows empty) until another is chosen.
    if (selected === null) selected = names[0] ?? null;
    bucketList.replaceChildren(...(names.length ? names.map((name) => h('li', {},
      h('button', {
        type: 'button', 'data-bucket': name, 'aria-pressed': String(name === selected),
        onclick: () => { selected = name; render(); },
      }, h('span', {}, name), h('span', { class: 'count' }, Object.keys(ledger[name]).length))))
      : [h('li', { class: 'empty' }, h('span', { class: 'notice' }, 'The ledger is empty.'))]));
    if (selected === null) {
      keysBox.replaceChildren();
      return;
    }
    const entries = Object.entries(ledger[selected] || {}).sort(([a], [b]) => a.localeCompare(b));
    const rows = entries.map(([key, value]) => {
      const pending = deleting.has(`${selected}\0${key}`);
      const bucket = selected;
      return h('tr', { 'data-key': key },
        h('td', {}, mono(key)),
        h('td', {}, h('pre', { class: 'value' }, prettyValue(value))),
        h('td', {}, h('button', {
          class: 'danger', type: 'button', disabled: pending, 'data-delete': key,
          'aria-label': `Delete ${bucket}/${key}`, onclick: () => remove(bucket, key),
        }, pending ? 'Deleting…' : 'Delete')));
    });
    keysBox.replaceChildren(h('h2', { id: 'bucket-title' }, `Bucket ${selected}`),
      table('ledger', ['Key', 'Value', ''], rows, 'This bucket is empty.'));
  }

  return (data) => {
    last = data;
    render();
  };
});

// ---------------------------------------------------------------- router and polling

const pageRoot = document.getElementById('page');
const statusView = document.getElementById('status');
const selfView = document.getElementById('self-id');
let current = null;   // { page, update }
let generation = 0;   // bumps on navigation, so late replies for another page are dropped
let timer = null;

function routeOf(pathname) {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  return rest.replace(/^\/+|\/+$/g, '');
}

function show(pathname) {
  const route = routeOf(pathname);
  const found = pages.find((p) => p.route === route);
  generation += 1;
  pageRoot.replaceChildren();
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.route === route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!found) {
    current = null;
    document.title = 'Not found · EdgeVPN';
    pageRoot.append(h('h1', {}, 'Not found'),
      h('p', {}, 'No page at this address. ', h('a', { href: BASE, 'data-link': true }, 'Go to the summary.')));
    return;
  }
  document.title = `${found.title} · EdgeVPN`;
  pageRoot.dataset.page = found.route || 'summary';
  current = { page: found, update: found.mount(pageRoot) };
  refresh();
}

async function refresh() {
  clearTimeout(timer);
  const mine = generation;
  const endpoints = new Set(current ? current.page.endpoints : []);
  endpoints.add('/api/summary');  // the header shows this node's ID on every page
  const data = {};
  await Promise.all([...endpoints].map(async (endpoint) => {
    try {
      data[endpoint] = await api(endpoint);
    } catch (e) {
      data[endpoint] = e instanceof Error ? e : new Error(String(e));
    }
  }));
  if (mine !== generation) return;
  const summary = data['/api/summary'];
  const offline = Object.values(data).find((v) => v instanceof Error && !(v instanceof ApiError));
  if (offline) {
    statusView.className = 'status error';
    statusView.textContent = 'node unreachable';
  } else {
    statusView.className = 'status ok';
    statusView.textContent = `updated ${new Date().toLocaleTimeString()}`;
  }
  if (!(summary instanceof Error)) {
    selfView.textContent = summary.NodeID;
    selfView.title = `This node: ${summary.NodeID}`;
  }
  if (current) current.update(data);
  clearTimeout(timer);  // a refresh started by a click may have finished first
  timer = setTimeout(refresh, POLL_MS);
}

function navigate(href) {
  if (href === location.pathname) return;
  history.pushState({}, '', href);
  show(location.pathname);
  pageRoot.focus({ preventScroll: true });
}

document.getElementById('nav').append(...pages.map((p) =>
  h('a', { href: p.route ? `${BASE}/${p.route}` : BASE, 'data-link': true, 'data-route': p.route }, p.title)));
document.addEventListener('click', (event) => {
  const link = event.target.closest && event.target.closest('a[data-link]');
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
});
window.addEventListener('popstate', () => show(location.pathname));
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') refresh();
});
show(location.pathname);
