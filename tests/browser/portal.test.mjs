// Browser tests of the shoppers' portal in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core): the real jwo-edged, the Payment Service simulator and a real SMTP
// listener, started here. ctest runs it (tests/browser/CMakeLists.txt):
//
//   node tests/browser/portal.test.mjs --build BUILD_DIR --artifacts DIR
//
// Flows: denied at the gate -> sign in with the mailed code -> balance -> pay with a sandbox
// card -> confirmation -> the next tap is APPROVED; a receipt found by date, card and amount ->
// refund request -> the refund reaches the simulator -> its status shown; keyboard and label
// checks. Screenshots of each step land in DIR (kept as test artifacts).
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) =>
  (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const build = resolve(args.build ?? join(repo, 'build'));
const artifacts = resolve(args.artifacts ?? join(build, 'test-artifacts', 'portal'));
const chromiumPath = process.env.JWO_CHROMIUM ?? '/usr/bin/chromium';

let chromium;
try {
  ({ chromium } = createRequire(import.meta.url)('playwright-core'));
} catch {
  console.error('portal.test: playwright-core is missing; run packaging/install-build-deps.sh ' +
                '(it runs npm ci in tests/browser)');
  process.exit(1);
}
if (!existsSync(chromiumPath)) {
  console.error(`portal.test: ${chromiumPath} is missing; apt install chromium ` +
                '(packaging/install-build-deps.sh does)');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'jwo-browser-'));
mkdirSync(artifacts, { recursive: true });
const children = [];
const cleanup = () => {
  for (const c of children) { try { c.kill('SIGTERM'); } catch { /* gone */ } }
};
process.on('exit', cleanup);

// Starts a program and resolves with the first match of `pattern` in its output.
function start(cmd, argv, pattern, { env } = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${cmd}: no ${pattern} within 20 s:\n${seen}`)), 20000);
    const onData = (d) => {
      seen += d;
      const m = seen.match(pattern);
      if (m) { clearTimeout(timer); ok({ child, match: m, log: () => seen }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`${cmd} exited ${code}:\n${seen}`)); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
const post = async (url, body) => (await fetch(url, { method: 'POST', body })).text();
const ctl = (...a) => new Promise((ok) => execFile(join(build, 'daemon/ctl/jwo-edgectl'),
  ['--config', join(work, 'config.yaml'), ...a], (err, stdout, stderr) => ok(stdout + stderr)));

function mails() {
  const dir = join(work, 'mail');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.eml')).sort((a, b) => parseInt(a) - parseInt(b))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}
const subject = (raw) => (raw.match(/^Subject: (.*)$/m) ?? [])[1] ?? '';

// --- the store ---------------------------------------------------------------------------------
mkdirSync(join(work, 'mail'));
const smtp = await start('/usr/bin/python3', [join(repo, 'tests/support/smtp_sink.py'), '--dir',
  join(work, 'mail'), '--port', '0'], /listening (\d+)/);
const sim = await start(join(build, 'tests/fakes/jwo-payment-sim'), ['--listen', '127.0.0.1:0',
  '--region', 'us-east-1', '--access-key', 'AKIDJWOEDGEDEVSIM', '--secret-key',
  'dev-simulator-only-key', '--print-port'], /listening 127\.0\.0\.1:(\d+)/);
const simUrl = `http://127.0.0.1:${sim.match[1]}`;
writeFileSync(join(work, 'aws-credentials'),
  '[default]\naws_access_key_id = AKIDJWOEDGEDEVSIM\naws_secret_access_key = dev-simulator-only-key\n');
writeFileSync(join(work, 'config.yaml'), `store_id: browser-store
store:
  state_directory: ${work}/state
  map_size_mib: 16
listeners:
  - name: amazon
    address: 127.0.0.1
    port: 0
    apis: [shopper_authorization, purchases, health]
  - name: portal
    address: 127.0.0.1
    port: 0
    apis: [portal]
fa:
  thresholds: {USD: 0.01}
log: {target: stderr}
control:
  socket: ${work}/control.sock
ordering:
  catalog: ${repo}/config/catalog.example.yaml
payments:
  endpoint: ${simUrl}
  region: us-east-1
  credentials: {source: file, file: ${work}/aws-credentials}
  retry_base_ms: 50
  retry_cap_ms: 400
mail:
  smtp_url: smtp://127.0.0.1:${smtp.match[1]}
  require_tls: false
  from: receipts@browser-store.example
  store_name: Corner Store
portal:
  secure_cookies: true
`);
const daemon = await start(join(build, 'daemon/jwo-edged'), ['--config', join(work, 'config.yaml')],
  /ready listeners="amazon=http:\/\/127\.0\.0\.1:(\d+) portal=http:\/\/127\.0\.0\.1:(\d+)"/);
const amazon = `http://127.0.0.1:${daemon.match[1]}`;
const portal = `http://127.0.0.1:${daemon.match[2]}`;

const tap = (shopper, trip) => post(`${amazon}/v1/fraudandabuse/shopperauthorization`, JSON.stringify({
  storeId: 'browser-store', shopperIdentity: { id: shopper },
  shopperInteraction: { shoppingTripId: trip } }));
let requestNo = 0;
const shop = async (shopper, trip, items) => {
  assert.equal(await tap(shopper, trip), '{"status":"APPROVED"}');
  const n = String(++requestNo).padStart(12, '0');
  const r = await fetch(`${amazon}/v1/order/purchases`, { method: 'POST', body: JSON.stringify({
    requestId: `0b9f6a1e-2c3d-4e5f-8a9b-${n}`, idempotentShoppingTripId: trip, storeId: 'browser-store',
    shoppingTrip: { startTime: '2026-11-27T10:00:00Z', endTime: '2026-11-27T10:04:00Z',
      authEvents: [{ id: `5d6e7f80-9a0b-4c1d-8e2f-${n}`, location: 'ENTRY', payloadType: 'FINANCIAL' }] },
    cartItems: items }) });
  assert.equal(r.status, 201, await r.text());
};

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
let failed = false;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed = true;
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}
const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

try {
  await step('denied at the gate -> mailed code -> balance -> pay -> access restored', async () => {
    await post(`${simUrl}/_sim/script`, '{"trips":[{"trip":"trip-b1","adjust":["DECLINED"]}]}');
    await shop('shopper-b', 'trip-b1', [{ id: 'CHIPS-CLASSIC', type: 'SKU', quantity: { value: '1', unit: 'unit' } }]);
    await until('the declined trip\'s shopper identity', async () => (await ctl('trip', 'show', 'trip-b1')).includes('shopper_identity'));
    assert.match(await tap('shopper-b', 'trip-b2'), /DENIED/);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });  // a phone
    const page = await context.newPage();
    await page.goto(portal);
    await shot(page, '01-sign-in');
    const before = mails().length;
    await page.getByLabel('E-mail address').fill('shopper-b@example.test');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel('Code from the e-mail').waitFor();
    const raw = await until('the sign-in code mail', async () => mails().slice(before).find((m) => /sign-in code/.test(subject(m))));
    const code = subject(raw).match(/(\d{6})$/)[1];
    await page.getByLabel('Code from the e-mail').fill(code);
    await shot(page, '02-code');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'jwo_session');
    assert.ok(session && session.httpOnly && session.secure && session.sameSite === 'Strict', JSON.stringify(cookies));
    assert.match(await page.textContent('main'), /The card was declined after the visit/);
    await shot(page, '03-balance');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.getByText('Access restored').waitFor();
    await shot(page, '04-paid');
    // A reload of the confirmation charges nothing and says the same.
    await page.reload();
    await page.getByText('Access restored').waitFor();
    assert.equal(await tap('shopper-b', 'trip-b3'), '{"status":"APPROVED"}');
    await context.close();
  });

  await step('receipt by date, card and amount -> refund -> reaches the simulator -> status', async () => {
    await shop('shopper-c', 'trip-c1', [{ id: 'COLA-12OZ', type: 'SKU', quantity: { value: '2.0', unit: 'unit' } }]);
    const receiptMail = await until('the receipt mail', async () => mails().find((m) => /receipt/.test(subject(m)) && m.includes('shopper-c@')));
    const decoded = receiptMail.replace(/=\r?\n/g, '');
    const last4 = decoded.match(/ending (\d{4})/)[1];
    const amount = subject(receiptMail).match(/: ([0-9.]+) USD$/)[1];
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(portal);
    await page.getByLabel('Date of the visit').fill('2026-11-27');
    await page.getByLabel('Last four digits of the card').fill(last4);
    await page.getByLabel('Amount charged').fill(amount);
    await page.getByRole('button', { name: 'Find the receipt' }).click();
    await page.getByRole('heading', { name: 'Receipt trip-c1' }).waitFor();
    assert.match(await page.textContent('main'), new RegExp(`ending ${last4}`));
    await shot(page, '05-receipt');
    await page.getByLabel('Reason').selectOption('ITEM_DAMAGED');
    await page.getByLabel(/^Amount \(USD\)/).fill('1.00');
    await page.getByRole('button', { name: 'Ask for the refund' }).click();
    await page.getByText('Your refund is requested').waitFor();
    await shot(page, '06-refund-requested');
    const refunded = await until('the refund at the simulator', async () => {
      const t = await (await fetch(`${simUrl}/_sim/trips?id=trip-c1`)).json();
      return t.refunds?.length === 1 ? t.refunds[0] : null;
    });
    assert.equal(refunded.refundReasonCode, 'ITEM_DAMAGED');
    await until('the refund shown as done', async () => {
      await page.reload();
      return (await page.textContent('main')).includes('Refunded');
    });
    await shot(page, '07-refunded');
    await context.close();
  });

  await step('keyboard and labels: every field has a label, focus is visible, Tab reaches the form', async () => {
    const page = await browser.newPage();
    await page.goto(portal);
    const unlabelled = await page.$$eval('input:not([type=hidden]), select', (els) =>
      els.filter((e) => !e.id || !document.querySelector(`label[for="${e.id}"]`)).map((e) => e.name));
    assert.deepEqual(unlabelled, []);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'email');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await page.keyboard.type('nobody@example.test');
    await page.keyboard.press('Enter');  // submits without a mouse
    await page.getByLabel('Code from the e-mail').waitFor();
    await shot(page, '08-keyboard');
    await page.close();
  });
} finally {
  await browser.close();
  cleanup();
  if (!failed) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work} (daemon log below)\n${daemon.log()}`);
  console.log(`screenshots: ${artifacts}`);
}
process.exit(failed ? 1 : 0);
