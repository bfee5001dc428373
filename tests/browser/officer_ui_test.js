// The officer's page /ui of a running `privet serve`, in Debian's chromium through
// puppeteer-core (run by officer_ui_test.sh, which starts the service). It checks:
//   - the page's Content-Security-Policy: default-src 'none', script and style only by the
//     SHA-256 of the page's own inline elements, connect-src 'self', nothing unsafe;
//   - log in with the officer's token (kept in sessionStorage, nowhere else); a researcher's
//     token is refused by the page;
//   - a researcher's pending request, whose purpose is markup, shows as text (no element made
//     from it); Approve makes it run, and it appears as released with the SHA-256 of the
//     attestation the researcher downloads;
//   - the budget chart shows what the API says was spent;
//   - the incident a restart recorded (officer_ui_test.sh makes it) is acknowledged with its
//     row's Acknowledge button, and the API then says so;
//   - no request left the service's origin and no CSP violation happened;
// and keeps a screenshot. Exit code 0 when every check holds, 1 (with the failures) otherwise.
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const puppeteer = require(path.resolve(process.env.PRIVET_NODE_MODULES, 'puppeteer-core'));

const base = process.env.PRIVET_URL;
const ca = fs.readFileSync(process.env.PRIVET_CA);
const officer = process.env.PRIVET_OFFICER_TOKEN;
const researcher = process.env.PRIVET_RESEARCHER_TOKEN;
const origin = new URL(base).origin;
// How long a browser-side wait may take before the test gives up: a hang guard, not a timed
// assertion (the checks are on what the page shows, whatever it took).
const kHangGuardMs = 180000;

// One HTTPS call to the service, trusting only its certificate. Resolves {status, headers, body}.
function call(method, route, token, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(base + route, {
      method, ca,
      headers: Object.assign({ Authorization: 'Bearer ' + token },
                             payload === undefined ? {} : {
                               'Content-Type': 'application/json',
                               'Content-Length': Buffer.byteLength(payload),
                             }),
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers,
                                         body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    if (payload !== undefined) request.write(payload);
    request.end();
  });
}

async function callJson(method, route, token, body) {
  const answer = await call(method, route, token, body);
  assert.ok(answer.status < 300, method + ' ' + route + ': ' + answer.status + ' ' + answer.body);
  return JSON.parse(answer.body.toString('utf8'));
}

function cspHash(text) {
  return "'sha256-" + crypto.createHash('sha256').update(text, 'utf8').digest('base64') + "'";
}

async function main() {
  // A request above the auto-approve epsilon (0.5) waits for the officer. Its purpose is markup
  // that would run if the page ever parsed server data as HTML.
  const purpose = '<img src=x onerror="window.__pwned=1"><b>bold</b> study';
  const submitted = await callJson('POST', '/v1/requests', researcher, {
    dataset: 'covid_testing', kind: 'marginal', epsilon: 1, purpose,
    options: { attributes: ['gender', 'result'] },
  });
  assert.equal(submitted.state, 'pending');
  const id = submitted.id;

  // The page's own bytes, to compare the CSP's hashes with its inline elements.
  const raw = await call('GET', '/ui', '');
  assert.equal(raw.status, 200);
  const html = raw.body.toString('utf8');
  const script = html.match(/<script>([\s\S]*?)<\/script>/);
  const style = html.match(/<style>([\s\S]*?)<\/style>/);
  assert.ok(script && style, 'the page has one inline script and one inline style');
  assert.equal((html.match(/<script/g) || []).length, 1, 'exactly one script element');
  assert.ok(!/\son[a-z]+\s*=/i.test(html.replace(script[0], '')), 'no inline event handler');
  assert.ok(!/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'no external reference');

  const browser = await puppeteer.launch({
    executablePath: process.env.PRIVET_CHROMIUM,
    headless: true,
    // The service's certificate is self-signed for the test; the Node calls above check it.
    acceptInsecureCerts: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
           '--disable-background-networking', '--disable-component-update',
           '--disable-default-apps', '--disable-sync', '--metrics-recording-only'],
  });
  const failures = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const requested = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => failures.push('page error: ' + error.message));
    await page.evaluateOnNewDocument(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
      });
    });

    const response = await page.goto(base + '/ui', { waitUntil: 'load' });
    assert.equal(response.status(), 200);
    const headers = response.headers();
    const csp = headers['content-security-policy'];
    assert.ok(csp, 'the page has a Content-Security-Policy header');
    const directives = new Map(csp.split(';').map((d) => d.trim()).filter(Boolean)
      .map((d) => { const [name, ...values] = d.split(/\s+/); return [name, values.join(' ')]; }));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), cspHash(script[1]));
    assert.equal(directives.get('style-src'), cspHash(style[1]));
    assert.equal(directives.get('connect-src'), "'self'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.ok(!/unsafe-|\*|data:|https?:/.test(csp), 'nothing unsafe or external in: ' + csp);
    assert.equal(headers['x-content-type-options'], 'nosniff');

    // A researcher's token is refused by the page (it checks an officers-only route).
    await page.type('#token', researcher);
    await page.click('#login button[type=submit]');
    await page.waitForFunction(() => /not an officer/.test(document.getElementById('status')
      .textContent), { timeout: kHangGuardMs });
    assert.equal(await page.$eval('#console', (e) => e.hidden), true);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);

    // The officer logs in: the token is in sessionStorage only.
    await page.type('#token', officer);
    await page.click('#login button[type=submit]');
    const row = '#pending tr[data-request-id="' + id + '"]';
    await page.waitForSelector(row, { timeout: kHangGuardMs });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('privet-officer-token')), officer);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    assert.equal(await page.evaluate(() => document.cookie), '');
    assert.equal(await page.$eval('#token', (e) => e.value), '', 'the input is cleared');

    // The markup in the purpose is text: same characters, no element made from it.
    const cells = await page.$$eval(row + ' td', (tds) => tds.map((td) => td.textContent));
    assert.equal(cells[0], id);
    assert.equal(cells[1], 'rita');
    assert.equal(cells[5], purpose);
    assert.equal(await page.$$eval('img, b', (found) => found.length), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);

    // Nothing spent yet: the chart says so.
    const before = await page.$eval('.budget[data-dataset="covid_testing"]', (card) => ({
      line: card.querySelector('.budget-line').textContent,
      rects: card.querySelectorAll('svg rect').length,
      spentWidth: Number(card.querySelector('svg rect.bar-spent').getAttribute('width')),
    }));
    assert.match(before.line, /^epsilon spent 0 of 3, remaining 3/);
    assert.equal(before.rects, 2);
    assert.equal(before.spentWidth, 0);

    // Approve: the request runs and shows up released, with its attestation's digest.
    await page.click(row + ' button.approve');
    const released = '#releases tr[data-request-id="' + id + '"] td.digest';
    await page.waitForFunction((selector) => {
      const cell = document.querySelector(selector);
      return cell !== null && /^[0-9a-f]{64}$/.test(cell.textContent);
    }, { timeout: kHangGuardMs }, released);
    const shown = await page.$eval(released, (cell) => cell.textContent);
    const record = await callJson('GET', '/v1/requests/' + id, researcher);
    assert.equal(record.state, 'released');
    assert.equal(record.decided_by, 'olivia');
    const attestation = await call('GET', '/v1/requests/' + id + '/files/attestation.dsse.json',
                                   researcher);
    assert.equal(attestation.status, 200);
    assert.equal(shown, crypto.createHash('sha256').update(attestation.body).digest('hex'),
                 'the page shows the SHA-256 of the attestation the researcher downloads');
    await page.waitForFunction((selector) => document.querySelector(selector) === null,
                               { timeout: kHangGuardMs }, row);

    // The chart follows the ledger: spent as the API reports it, bar in proportion.
    const datasets = await callJson('GET', '/v1/datasets', officer);
    const spent = datasets.datasets[0].spent_epsilon;
    assert.ok(spent > 0.99 && spent <= 1.0000001, 'spent ' + spent);
    await page.waitForFunction(() => {
      const line = document.querySelector('.budget[data-dataset="covid_testing"] .budget-line');
      return line !== null && !/^epsilon spent 0 of/.test(line.textContent);
    }, { timeout: kHangGuardMs });
    const after = await page.$eval('.budget[data-dataset="covid_testing"]', (card) => ({
      line: card.querySelector('.budget-line').textContent,
      spentWidth: Number(card.querySelector('svg rect.bar-spent').getAttribute('width')),
      width: Number(card.querySelector('svg').getAttribute('width')),
    }));
    assert.ok(after.line.startsWith('epsilon spent ' + String(+spent.toPrecision(6)) + ' of 3'),
              after.line);
    assert.ok(Math.abs(after.spentWidth / after.width - spent / 3) < 1e-9, JSON.stringify(after));

    // The restart's incident: open, with its button; the click acknowledges it (the API agrees).
    const incidents = (await callJson('GET', '/v1/incidents', officer)).incidents;
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0].acknowledged, false);
    const incidentRow = '#incidents tr[data-incident-id="' + incidents[0].id + '"]';
    await page.click(incidentRow + ' button.ack');
    await page.waitForFunction((selector) => {
      const cell = document.querySelector(selector + ' td.acknowledged');
      return cell !== null && cell.textContent === 'yes';
    }, { timeout: kHangGuardMs }, incidentRow);
    assert.equal(await page.$$eval(incidentRow + ' button', (found) => found.length), 0);
    const acked = (await callJson('GET', '/v1/incidents', officer)).incidents;
    assert.equal(acked[0].acknowledged, true);

    await page.screenshot({ path: process.env.PRIVET_SCREENSHOT, fullPage: true });

    const violations = await page.evaluate(() => window.__violations);
    assert.deepEqual(violations, [], 'no CSP violation');
    const foreign = requested.filter((url) => new URL(url).origin !== origin);
    assert.deepEqual(foreign, [], 'every request went to the service itself');
    assert.ok(requested.some((url) => url.endsWith('/v1/attestations')), 'the page used the API');
    console.log('officer page: ' + requested.length + ' requests, all to ' + origin +
                '; screenshot ' + process.env.PRIVET_SCREENSHOT);
  } finally {
    await browser.close();
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
}

main().then(() => console.log('PASS'), (error) => {
  console.error('FAIL: ' + (error && error.stack ? error.stack : error));
  process.exit(1);
});
