// The officer's page (docs/officer.md, "The officer's page"). It talks only to this
// service's /v1 API with the officer's token, kept in sessionStorage (this tab only, gone when
// the tab closes). Every value from the server is put in the page with textContent or as an
// SVG attribute number, never parsed as HTML, so a purpose or a name a requester chose cannot
// become markup. The Content-Security-Policy of /ui allows this script and the style by hash
// and connections to 'self' only.
'use strict';
(function () {
  const kTokenKey = 'privet-officer-token';
  const kRefreshMs = 2000;
  const kSvg = 'http://www.w3.org/2000/svg';
  let timer = null;

  function byId(id) { return document.getElementById(id); }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) td.className = className;
    return td;
  }

  function number(value) {
    return typeof value === 'number' && isFinite(value) ? String(+value.toPrecision(6)) : '';
  }

  function setStatus(text, isError) {
    const status = byId('status');
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(method, path, body) {
    const init = {
      method: method,
      headers: { 'Authorization': 'Bearer ' + sessionStorage.getItem(kTokenKey) },
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    };
    if (method !== 'GET') {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body || {});
    }
    const response = await fetch(path, init);
    let json = null;
    try { json = await response.json(); } catch (ignored) { json = null; }
    if (!response.ok) {
      const error = json && json.error ? json.error.code + ': ' + json.error.message
                                       : 'HTTP ' + response.status;
      throw new ApiError(response.status, error);
    }
    return json;
  }

  function fillTable(id, rows, columns) {
    const body = byId(id).tBodies[0];
    const fresh = document.createElement('tbody');
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = cell('none', 'empty');
      td.colSpan = columns;
      tr.appendChild(td);
      fresh.appendChild(tr);
    }
    for (const row of rows) fresh.appendChild(row);
    body.replaceWith(fresh);
  }

  // One dataset's budget as a bar: spent (left) and remaining (right) epsilon, widths in
  // proportion to the total epsilon, drawn with SVG elements made one by one.
  function budgetCard(dataset) {
    const card = document.createElement('div');
    card.className = 'budget';
    card.dataset.dataset = dataset.id;
    const total = dataset.budget && typeof dataset.budget.epsilon === 'number'
                      ? dataset.budget.epsilon : 0;
    const spent = typeof dataset.spent_epsilon === 'number' ? dataset.spent_epsilon : 0;
    const remaining = typeof dataset.remaining_epsilon === 'number' ? dataset.remaining_epsilon : 0;
    const title = document.createElement('strong');
    title.textContent = dataset.id;
    card.appendChild(title);
    const line = document.createElement('div');
    line.className = 'budget-line';
    let text = 'epsilon spent ' + number(spent) + ' of ' + number(total) +
               ', remaining ' + number(remaining);
    if (dataset.budget && typeof dataset.budget.delta === 'number') {
      text += ' (delta ' + number(dataset.budget.delta) + ')';
    }
    if (dataset.budget && typeof dataset.budget.per_release_epsilon === 'number') {
      text += '; per-release cap ' + number(dataset.budget.per_release_epsilon);
    }
    if (!dataset.registered) text += '; not registered';
    line.textContent = text;
    card.appendChild(line);

    const width = 480, height = 22;
    const fraction = total > 0 ? Math.min(1, Math.max(0, spent / total)) : 0;
    const svg = document.createElementNS(kSvg, 'svg');
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('role', 'img');
    const label = document.createElementNS(kSvg, 'title');
    label.textContent = dataset.id + ': ' + text;
    svg.appendChild(label);
    const bar = (cls, x, w) => {
      const rect = document.createElementNS(kSvg, 'rect');
      rect.setAttribute('class', cls);
      rect.setAttribute('x', String(x));
      rect.setAttribute('y', '0');
      rect.setAttribute('width', String(w));
      rect.setAttribute('height', String(height));
      svg.appendChild(rect);
    };
    bar('bar-spent', 0, fraction * width);
    bar('bar-left', fraction * width, (1 - fraction) * width);
    const caption = document.createElementNS(kSvg, 'text');
    caption.setAttribute('x', '6');
    caption.setAttribute('y', '15');
    caption.textContent = Math.round(fraction * 100) + '% spent';
    svg.appendChild(caption);
    card.appendChild(svg);
    return card;
  }

  function decisionButton(request, approve) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = approve ? 'approve' : 'deny';
    button.textContent = approve ? 'Approve' : 'Deny';
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api('POST', '/v1/requests/' + encodeURIComponent(request.id) +
                              (approve ? '/approve' : '/deny'), {});
        setStatus((approve ? 'approved ' : 'denied ') + request.id, false);
      } catch (error) {
        setStatus(error.message, true);
      }
      await refresh();
    });
    return button;
  }

  function pendingRow(request) {
    const tr = document.createElement('tr');
    tr.dataset.requestId = request.id;
    for (const value of [request.id, request.requester, request.dataset, request.kind,
                         number(request.epsilon), request.purpose, request.created]) {
      tr.appendChild(cell(value));
    }
    const td = document.createElement('td');
    td.appendChild(decisionButton(request, true));
    td.appendChild(decisionButton(request, false));
    tr.appendChild(td);
    return tr;
  }

  function releaseRow(request, digests) {
    const tr = document.createElement('tr');
    tr.dataset.requestId = request.id;
    const release = request.result && request.result.release ? request.result.release : {};
    for (const value of [request.id, request.release_id, request.dataset, request.requester,
                         number(release.epsilon), request.decided_by]) {
      tr.appendChild(cell(value));
    }
    tr.appendChild(cell(digests.get(request.id) || '', 'digest'));
    return tr;
  }

  // Acknowledges this one incident (POST /v1/incidents/{id}/ack), never others of its dataset:
  // an incident recorded after the officer looked stays open until it is read too.
  function ackButton(incident) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'ack';
    button.textContent = 'Acknowledge';
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const answer = await api('POST', '/v1/incidents/' + encodeURIComponent(incident.id) +
                                             '/ack', {});
        setStatus('acknowledged ' + incident.id + '; ' + number(answer.open_incidents) +
                  ' open incident(s) of ' + incident.dataset_id + ' remain', false);
      } catch (error) {
        setStatus(error.message, true);
      }
      await refresh();
    });
    return button;
  }

  function incidentRow(incident) {
    const tr = document.createElement('tr');
    tr.dataset.incidentId = incident.id;
    for (const value of [incident.id, incident.time, incident.dataset_id, incident.requester,
                         incident.stage, incident.class, incident.release_id]) {
      tr.appendChild(cell(value));
    }
    const td = cell(incident.acknowledged ? 'yes' : 'no ', 'acknowledged');
    if (!incident.acknowledged) td.appendChild(ackButton(incident));
    tr.appendChild(td);
    return tr;
  }

  async function refresh() {
    if (!sessionStorage.getItem(kTokenKey)) return;
    try {
      const [datasets, pending, released, attestations, incidents] = await Promise.all([
        api('GET', '/v1/datasets'), api('GET', '/v1/requests?state=pending'),
        api('GET', '/v1/requests?state=released'), api('GET', '/v1/attestations'),
        api('GET', '/v1/incidents')]);
      const budgets = document.createElement('div');
      budgets.id = 'budgets';
      for (const dataset of datasets.datasets) budgets.appendChild(budgetCard(dataset));
      byId('budgets').replaceWith(budgets);
      fillTable('pending', pending.requests.map(pendingRow), 8);
      const digests = new Map();
      for (const a of attestations.attestations) digests.set(a.request_id, a.sha256);
      fillTable('releases', released.requests.map((r) => releaseRow(r, digests)), 7);
      fillTable('incidents', incidents.incidents.map(incidentRow), 8);
      byId('console').hidden = false;
      document.body.dataset.refreshed = String(Date.now());
    } catch (error) {
      if (error.status === 401 || error.status === 403) {
        logout();
        setStatus(error.status === 403 ? 'that token is not an officer\'s' : error.message, true);
      } else {
        setStatus(error.message, true);
      }
    }
  }

  function showSession(loggedIn) {
    byId('login-section').hidden = loggedIn;
    byId('session').hidden = !loggedIn;
    byId('console').hidden = true;
    if (timer !== null) clearInterval(timer);
    timer = loggedIn ? setInterval(refresh, kRefreshMs) : null;
  }

  async function login(token) {
    sessionStorage.setItem(kTokenKey, token);
    try {
      await api('GET', '/v1/policy');  // officers only: a researcher's token gets 403 here
    } catch (error) {
      sessionStorage.removeItem(kTokenKey);
      setStatus(error.status === 403 ? 'that token is not an officer\'s' : error.message, true);
      return;
    }
    byId('who').textContent = 'officer session';
    setStatus('', false);
    showSession(true);
    await refresh();
  }

  function logout() {
    sessionStorage.removeItem(kTokenKey);
    showSession(false);
  }

  byId('login').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId('token');
    const token = input.value.trim();
    input.value = '';
    login(token);
  });
  byId('logout').addEventListener('click', () => { logout(); setStatus('logged out', false); });
  byId('refresh').addEventListener('click', () => { refresh(); });
  if (sessionStorage.getItem(kTokenKey)) login(sessionStorage.getItem(kTokenKey));
})();
