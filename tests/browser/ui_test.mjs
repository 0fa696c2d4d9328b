// The embedded web UI in Debian's headless Chromium (playwright-core, no downloaded browser)
// against three running nodes a <- b <- c (started by ui_test.sh, which passes their API
// addresses and peer IDs in UI_API_* / UI_ID_*). Every page of c's UI must show what c's JSON
// API says, a key written on a must appear in c's ledger browser, and deleting it in b's UI must
// remove it from all three nodes. The browser may contact nothing but the nodes.
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, rm, copyFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run this through ui_test.sh)`);
  return value;
};
const nodes = {
  a: { api: env('UI_API_A'), id: env('UI_ID_A') },
  b: { api: env('UI_API_B'), id: env('UI_ID_B') },
  c: { api: env('UI_API_C'), id: env('UI_ID_C') },
};
// The entries the other nodes of ui_test.sh announce (machine: empty when a runs no VPN).
const announced = {
  machine: process.env.UI_MACHINE || '',
  service: env('UI_SERVICE'), servicePeer: env('UI_ID_SVC'),
  user: env('UI_ID_SC'),
  file: env('UI_FILE'), filePeer: env('UI_ID_FS'),
};
const artifacts = process.env.EDGEVPN_UI_ARTIFACTS || path.join(tmpdir(), 'edgevpn-ui-screenshots');
const docs = process.env.EDGEVPN_UI_DOCS || '';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

let failures = 0;
const fail = (message) => {
  failures += 1;
  console.error(`FAIL: ${message}`);
};
const check = (condition, message) => {
  if (!condition) fail(message);
  return Boolean(condition);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `probe` until it returns a truthy value; returns it, or null after `seconds`.
async function eventually(probe, seconds) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    let value = null;
    try {
      value = await probe();
    } catch {
      value = null;
    }
    if (value) return value;
    if (Date.now() > end) return null;
    await sleep(200);
  }
}

async function http(node, urlPath, options = {}) {
  const response = await fetch(`http://${nodes[node].api}${urlPath}`, {
    redirect: 'manual', signal: AbortSignal.timeout(5000), ...options,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
// A GET whose path goes out byte for byte (fetch would resolve "%2e%2e" segments first).
function rawStatus(node, rawPath) {
  const [host, port] = nodes[node].api.split(':');
  return new Promise((resolve, reject) => {
    const request = httpGet({ host, port: Number(port), path: rawPath, timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', reject);
    request.on('timeout', () => request.destroy(new Error('timeout')));
  });
}
async function json(node, urlPath) {
  const reply = await http(node, urlPath);
  if (reply.status !== 200) throw new Error(`${urlPath} on ${node}: ${reply.status} ${reply.text}`);
  return JSON.parse(reply.text);
}

// ------------------------------------------------------------------ HTTP: routes and headers

async function checkServing() {
  const root = await http('c', '/');
  check(root.status === 301 && root.headers.get('location') === '/app',
    `GET / answers ${root.status} to ${root.headers.get('location')}, want 301 to /app`);
  const index = await http('c', '/app');
  check(index.status === 200 && /^text\/html/.test(index.headers.get('content-type') || ''),
    `GET /app: ${index.status} ${index.headers.get('content-type')}`);
  check(index.headers.get('cache-control') === 'no-cache',
    `/app Cache-Control is ${index.headers.get('cache-control')}, want no-cache`);
  const deep = await http('c', '/app/ledger/some/deep/route');
  check(deep.status === 200 && deep.text === index.text, 'a client-side route does not serve index.html');
  const assets = [...index.text.matchAll(/"(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  check(assets.some((a) => /^\/assets\/app-[0-9a-f]{10}\.js$/.test(a)) &&
    assets.some((a) => /^\/assets\/app-[0-9a-f]{10}\.css$/.test(a)),
    `index.html does not link content-hashed app.js and app.css: ${assets.join(' ')}`);
  const types = { js: /^text\/javascript/, css: /^text\/css/ };
  for (const asset of assets) {
    const reply = await http('c', asset);
    const type = reply.headers.get('content-type') || '';
    check(reply.status === 200 && types[asset.split('.').pop()].test(type),
      `${asset}: ${reply.status} ${type}`);
    check(/max-age=31536000/.test(reply.headers.get('cache-control') || '') &&
      /immutable/.test(reply.headers.get('cache-control') || ''),
      `${asset} Cache-Control is ${reply.headers.get('cache-control')}`);
  }
  const icon = await http('c', '/favicon.svg');
  check(icon.status === 200 && icon.headers.get('content-type') === 'image/svg+xml' &&
    icon.text.startsWith('<svg'), `/favicon.svg: ${icon.status} ${icon.headers.get('content-type')}`);
  for (const missing of ['/assets/app.js', '/assets/nothing-here.js', '/assets/%2e%2e/app',
    '/assets/../app', '/assets/%2e%2e%2fapp']) {
    const status = await rawStatus('c', missing);
    check(status === 404, `${missing} answers ${status}, want 404`);
  }
  const post = await http('c', '/app', { method: 'POST' });
  check(post.status === 405, `POST /app answers ${post.status}, want 405`);
}

// ------------------------------------------------------------------ the browser

const allowedHosts = new Set(Object.values(nodes).map((n) => n.api));
const outside = [];
const pageErrors = [];
let expectedBadRequests = 0;  // 400s the test provokes on purpose

async function openPage(context, node, route) {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${node}${route}: console: ${message.text()}`);
  });
  page.on('pageerror', (error) => pageErrors.push(`${node}${route}: ${error.message}`));
  await page.goto(`http://${nodes[node].api}${route}`);
  return page;
}

async function screenshot(page, name) {
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (docs) await copyFile(file, path.join(docs, `${name}.png`));
  console.log(`screenshot ${file}`);
}

// Clicks the sidebar link (client-side navigation) and waits for the page to be mounted.
async function visit(page, title, route) {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: title, exact: true }).click();
  await page.waitForURL(`**/app${route ? `/${route}` : ''}`);
  await page.locator(`main[data-page="${route || 'summary'}"]`).waitFor();
  check(await page.locator('nav a[aria-current="page"]').textContent() === title,
    `the ${title} link is not marked as the current page`);
  check(await page.title() === `${title} · EdgeVPN`, `title of ${route} is ${await page.title()}`);
}

// The text of every row of a data table, once its first poll has filled it.
async function rowTexts(page, table) {
  await page.locator(`table[data-table="${table}"]`).waitFor();
  return page.locator(`table[data-table="${table}"] tbody tr`).allTextContents();
}

const emptyTableMatches = async (page, table, items) => {
  const rows = await rowTexts(page, table);
  if (items.length === 0) {
    return check(rows.length === 1 && await page.locator(`table[data-table="${table}"] td.empty`).count() === 1,
      `${table}: the API lists nothing but the page shows ${JSON.stringify(rows)}`);
  }
  return check(rows.length === items.length, `${table}: ${rows.length} rows for ${items.length} API entries`);
};

async function main() {
  await mkdir(artifacts, { recursive: true });
  if (docs) await mkdir(docs, { recursive: true });

  // Every node has joined the ledger topic (summary answers 200) before the browser starts.
  for (const name of Object.keys(nodes)) {
    if (!await eventually(async () => (await http(name, '/api/summary')).status === 200, 30)) {
      fail(`node ${name}'s /api/summary never answered 200`);
      return;
    }
  }
  await checkServing();
  const expected = [['/api/services', (l) => l.some((x) => x.Name === announced.service)],
    ['/api/users', (l) => l.some((x) => x.PeerID === announced.user)],
    ['/api/files', (l) => l.some((x) => x.Name === announced.file)]];
  if (announced.machine) expected.push(['/api/machines', (l) => l.some((x) => x.Address === announced.machine)]);
  for (const [endpoint, has] of expected) {
    if (!await eventually(async () => has(await json('c', endpoint)), 40)) {
      fail(`c's ${endpoint} never listed the entry announced for it`);
    }
  }

  // The key the ledger browser must show, written on the far end of the line.
  const bucket = 'uitest';
  const key = 'greeting';
  const value = `hello-from-a-${Date.now()}`;
  const put = await http('a', `/api/ledger/${bucket}/${key}/${value}`, { method: 'PUT' });
  check(put.status === 200 && /Announcing/.test(put.text), `PUT on a: ${put.status} ${put.text}`);

  const profile = await mkdtemp(path.join(tmpdir(), 'edgevpn-ui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    serviceWorkers: 'block',
  });
  try {
    // Every request the pages make is checked: only the three nodes may be contacted.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'http:' && allowedHosts.has(url.host)) return route.continue();
      if (url.protocol === 'data:') return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    await runPages(context, { bucket, key, value });
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
  check(outside.length === 0, `the UI tried to reach outside the nodes: ${outside.join(' ')}`);
  const badRequests = pageErrors.filter((e) => /status of 400 \(Bad Request\)/.test(e));
  const unexpected = pageErrors.filter((e) => !badRequests.includes(e));
  check(unexpected.length === 0 && badRequests.length <= expectedBadRequests,
    `errors in the pages:\n  ${pageErrors.join('\n  ')}`);
}

// The VPN node a's machine on c's page: address, OS, and the three states as c's API has them;
// a is two hops from c (online by heartbeat, not connected) but b's direct neighbour on the
// ledger topic, so b says connected and on chain (EdgeVPN's /api/machines always says false).
async function checkMachine(c) {
  const row = c.locator(`table[data-table="machines"] tr[data-peer-id="${nodes.a.id}"]`);
  check(await eventually(async () => (await row.textContent({ timeout: 500 })).includes(announced.machine), 15),
    `machines page has no row for a (${announced.machine})`);
  const api = (await json('c', '/api/machines')).find((m) => m.PeerID === nodes.a.id);
  if (!check(api, 'c\'s API lists no machine of a')) return;
  check(/linux/.test(await row.textContent()), 'the machine row does not show its OS');
  const badges = await row.locator('.badge').allTextContents();
  const want = [api.Online, api.OnChain, api.Connected].map((f) => (f ? 'yes' : 'no'));
  check(JSON.stringify(badges) === JSON.stringify(want),
    `machine badges (online, on chain, connected) ${badges}, c's API says ${want}`);
  check(api.Online && !api.Connected,
    `a seen from c: online ${api.Online}, connected ${api.Connected}; want true, false`);
  const fromB = (await json('b', '/api/machines')).find((m) => m.PeerID === nodes.a.id);
  check(fromB && fromB.Connected && fromB.OnChain,
    `b, a's direct neighbour on the ledger topic, reports a as ${JSON.stringify(fromB)}`);
}

async function runPages(context, { bucket, key, value }) {
  const c = await openPage(context, 'c', '/app');

  // Summary: c's own ID (from its listen address), counts equal to c's API.
  const nodeId = await eventually(async () => {
    const text = await c.locator('[data-summary="NodeID"] .value').textContent({ timeout: 1000 });
    return text === nodes.c.id ? text : null;
  }, 15);
  check(nodeId, `summary does not show c's node ID ${nodes.c.id}`);
  check(await c.locator('#self-id').textContent() === nodes.c.id, 'the header does not show c\'s ID');
  const summary = await json('c', '/api/summary');
  const height = Number(await c.locator('[data-summary="BlockChain"] .value').textContent());
  check(Number.isInteger(height) && height >= 0 && Math.abs(height - summary.BlockChain) <= 3,
    `summary ledger height ${height}, API says ${summary.BlockChain}`);
  check(await eventually(async () =>
    Number(await c.locator('[data-summary="Peers"] .value').textContent()) >= 1, 15),
  'summary shows no peer');
  for (const field of ['Machines', 'Services', 'Users', 'Files']) {
    check(await eventually(async () => {
      const shown = Number(await c.locator(`[data-summary="${field}"] .value`).textContent());
      return shown >= 1 || (field === 'Machines' && !announced.machine)
        ? shown === (await json('c', '/api/summary'))[field] : false;
    }, 15), `summary ${field} does not match c's API (or shows none)`);
  }
  await screenshot(c, 'summary');

  // Ledger browser: the key written on a reaches c's UI through b.
  await visit(c, 'Ledger', 'ledger');
  const reached = await eventually(async () => {
    const button = c.locator(`#buckets button[data-bucket="${bucket}"]`);
    if (await button.count() === 0) return false;
    await button.click();
    return (await c.locator(`tr[data-key="${key}"]`).textContent({ timeout: 500 })).includes(value);
  }, 30);
  check(reached, `c's ledger browser never showed ${bucket}/${key} = ${value}`);
  check(await c.locator('#bucket-title').textContent() === `Bucket ${bucket}`, 'bucket title');
  check(/^\d+$/.test(await c.locator('[data-block="Height"]').textContent()),
    'the last block\'s height is not shown');
  await screenshot(c, 'ledger');

  // DNS: a record added through c's form is announced and reaches a.
  await visit(c, 'DNS', 'dns');
  const regex = 'uitest.example.';
  await c.getByLabel('Name (regex)').fill(regex);
  await c.getByLabel('Record type').selectOption('A');
  await c.getByLabel('Record value').fill('10.1.0.42');
  await c.getByRole('button', { name: 'Add record' }).click();
  check(await eventually(async () =>
    /Announcing/.test(await c.locator('#dns-message').textContent()), 10),
  `the DNS form did not report Announcing: ${await c.locator('#dns-message').textContent()}`);
  check(await eventually(async () =>
    (await c.locator(`tr[data-regex="${regex}"]`).textContent({ timeout: 500 })).includes('10.1.0.42'), 20),
  'the new DNS record does not appear in c\'s table');
  check(await eventually(async () =>
    (await json('a', '/api/dns')).some((d) => d.Regex === regex && d.Records.A === '10.1.0.42'), 30),
  'the DNS record added in c\'s UI did not reach a');
  await screenshot(c, 'dns');
  // The API's refusal is shown (the browser logs the 400 as a console error: expected once).
  await c.getByLabel('Record value').fill('not-an-ip');
  await c.getByRole('button', { name: 'Add record' }).click();
  check(await eventually(async () =>
    /must be an IPv4 address/.test(await c.locator('#dns-message.error').textContent({ timeout: 500 })), 10),
  'a bad A record does not show the API\'s error');
  expectedBadRequests += 1;
  // Deleting the record in c's UI removes it from a.
  await c.getByRole('button', { name: `Delete DNS record ${regex}` }).click();
  check(await eventually(async () =>
    !(await json('a', '/api/dns')).some((d) => d.Regex === regex), 30),
  'the DNS record deleted in c\'s UI is still on a');
  check(await eventually(async () => await c.locator(`tr[data-regex="${regex}"]`).count() === 0, 10),
    'the deleted DNS record is still listed in c\'s UI');

  // Peers: the graph and the list hold c itself, its neighbour b, and every ID c's API knows.
  await visit(c, 'Peers', 'peers');
  await c.locator('#peer-graph').waitFor();
  check(await c.locator(`#peer-graph g.self[data-peer-id="${nodes.c.id}"]`).count() === 1,
    'the graph does not put c in the middle');
  check(await eventually(async () =>
    await c.locator(`#peer-graph g.peer[data-peer-id="${nodes.b.id}"]`).count() === 1, 15),
  'the graph does not show b, c\'s direct peer');
  const known = new Set([...(await json('c', '/api/nodes')), ...(await json('c', '/api/peerstore'))]
    .map((n) => n.ID));
  const listed = new Set(await c.locator('table[data-table="peers"] tbody tr').evaluateAll(
    (rows) => rows.map((r) => r.dataset.peerId)));
  for (const id of known) check(listed.has(id), `peer ${id} of c's API is not in the peers list`);
  check(listed.has(nodes.b.id), 'b is not in the peers list');
  console.log(`peers page: ${listed.size} nodes (a ${listed.has(nodes.a.id) ? 'listed' : 'not known to c'})`);
  await screenshot(c, 'peers');

  // Machines, services, users, files: the tables show what c's API lists, with the entries the
  // other nodes announced.
  const rowWith = (route, ...texts) => eventually(async () => {
    const rows = await rowTexts(c, route);
    return rows.some((row) => texts.every((t) => row.includes(t)));
  }, 15);
  for (const [title, route, endpoint] of [['Machines', 'machines', '/api/machines'],
    ['Services', 'services', '/api/services'], ['Users', 'users', '/api/users'],
    ['Files', 'files', '/api/files']]) {
    await visit(c, title, route);
    const items = await json('c', endpoint);
    await emptyTableMatches(c, route, items);
    if (route === 'services') {
      check(await rowWith(route, announced.service, announced.servicePeer),
        `services page has no row ${announced.service} on ${announced.servicePeer}`);
    } else if (route === 'users') {
      check(await rowWith(route, announced.user), `users page has no row for ${announced.user}`);
    } else if (route === 'files') {
      check(await rowWith(route, announced.file, announced.filePeer),
        `files page has no row ${announced.file} on ${announced.filePeer}`);
    } else if (announced.machine) {
      await checkMachine(c);
    }
    await screenshot(c, route);
  }

  // An unknown route under /app is the app's own "not found", not a server 404.
  const lost = await openPage(context, 'c', '/app/no-such-page');
  check(await lost.locator('main h1').textContent() === 'Not found', 'unknown route is not "Not found"');
  await lost.close();

  // Delete in b's UI: the key disappears from b's page, from c's open page and from every API.
  await visit(c, 'Ledger', 'ledger');
  const b = await openPage(context, 'b', '/app/ledger');
  const onB = await eventually(async () => {
    const button = b.locator(`#buckets button[data-bucket="${bucket}"]`);
    if (await button.count() === 0) return false;
    await button.click();
    return await b.locator(`tr[data-key="${key}"]`).count() === 1;
  }, 20);
  if (!check(onB, `b's ledger browser never showed ${bucket}/${key}`)) return;
  await c.locator(`#buckets button[data-bucket="${bucket}"]`).click();
  check(await eventually(async () => await c.locator(`tr[data-key="${key}"]`).count() === 1, 10),
    'c does not show the key before the delete');
  const started = Date.now();
  await b.getByRole('button', { name: `Delete ${bucket}/${key}` }).click();
  const gone = await eventually(async () => {
    for (const name of ['a', 'b', 'c']) {
      if ((await http(name, `/api/ledger/${bucket}/${key}`)).text.trim() !== '""') return false;
    }
    return true;
  }, 20);
  check(gone, `after the delete in b's UI, ${bucket}/${key} is still on some node: ${
    JSON.stringify(await Promise.all(['a', 'b', 'c'].map(async (n) => (await http(n, `/api/ledger/${bucket}/${key}`)).text.trim())))}`);
  if (gone) console.log(`delete reached all three nodes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  check(await eventually(async () => await b.locator(`tr[data-key="${key}"]`).count() === 0, 10),
    'the key is still listed in b\'s UI');
  check(await eventually(async () => await c.locator(`tr[data-key="${key}"]`).count() === 0, 10),
    `the key is still listed in c's UI after the delete (c's API: ${
      JSON.stringify((await json('c', '/api/ledger'))[bucket] ?? null)}, c's status: ${
      await c.locator('.status').first().textContent()})`);
  await b.close();
}

try {
  await main();
} catch (error) {
  fail(error.stack || String(error));
}
console.log(failures === 0 ? 'ui_test: ok' : `ui_test: ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
