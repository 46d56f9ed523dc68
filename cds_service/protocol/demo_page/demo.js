// myositis-cds demo page: plays the EHR. It talks to the service only through the public CDS Hooks
// endpoints (discovery, hook calls without prefetch, so the service fetches from fhirServer; feedback)
// and reads/writes the FHIR server named by the page's ?fhirServer= parameter, as an EHR would: the
// patient banner and list come from it, unsigned orders stay in the page (sent as draftOrders), and
// "Sign orders" runs order-sign, then writes them to it as active orders.
'use strict';

const UCUM = 'http://unitsofmeasure.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const USER = 'Practitioner/demo-clinician';
// RxNorm products offered in the draft order editor (the service recognises each of them).
const PRODUCTS = [
  ['105585', 'Methotrexate 2.5 MG Oral Tablet'],
  ['312615', 'Prednisone 20 MG Oral Tablet'],
  ['312617', 'Prednisone 5 MG Oral Tablet'],
  ['197388', 'Azathioprine 50 MG Oral Tablet'],
  ['200060', 'mycophenolate mofetil 500 MG Oral Tablet'],
  ['617311', 'atorvastatin 40 MG Oral Tablet'],
  ['198335', 'Sulfamethoxazole 800 MG / Trimethoprim 160 MG Oral Tablet'],
  ['199318', 'Folic Acid 5 MG Oral Tablet'],
];
const FREQUENCIES = [
  ['1/1/wk', 'once weekly'], ['1/1/d', 'once daily'], ['2/1/d', 'twice daily'], ['3/1/d', 'three times daily'],
];
const PRIMARY_DRAFT = 'draft-1';

const params = new URLSearchParams(window.location.search);
const state = {
  fhirServer: (params.get('fhirServer') || '').replace(/\/+$/, ''),
  fhirToken: params.get('fhirToken') || '',
  services: {},        // hook -> service id
  drafts: [],          // draft resources sent as context.draftOrders
  nextDraft: 2,
  calls: 0,
  lastHook: 'patient-view',
  reviewed: null,      // the drafts (JSON) whose order-sign cards were shown: signing them again signs anyway
};

const $ = (id) => document.getElementById(id);

function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function setStatus(text, error = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
}

// --- a small, safe Markdown subset for card details: paragraphs, "- " lists, **bold**, *italic*,
// `code`, [text](https://...). Text is escaped first, so a card can never inject markup.
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function inline(text) {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
}

function markdown(text) {
  // Blocks are separated by blank lines; inside a block, runs of "- " lines are a list, other lines a paragraph.
  const html = [];
  for (const block of (text || '').split(/\n\s*\n/)) {
    let paragraph = [];
    let items = [];
    const flush = () => {
      if (paragraph.length) html.push('<p>' + paragraph.map(inline).join('<br>') + '</p>');
      if (items.length) html.push('<ul>' + items.map((item) => `<li>${inline(item)}</li>`).join('') + '</ul>');
      paragraph = []; items = [];
    };
    for (const line of block.split('\n').filter((l) => l.trim())) {
      const item = line.match(/^\s*[-*] (.*)$/);
      if (item) { if (paragraph.length) flush(); items.push(item[1]); } else { if (items.length) flush(); paragraph.push(line); }
    }
    flush();
  }
  return html.join('');
}

// --- FHIR server (the EHR's own record) --------------------------------------------------------
function fhirHeaders(json = false) {
  const headers = { Accept: 'application/fhir+json' };
  if (json) headers['Content-Type'] = 'application/fhir+json';
  if (state.fhirToken) headers.Authorization = `Bearer ${state.fhirToken}`;
  return headers;
}

// The message of an error answer: the OperationOutcome's diagnostics (both the service and FHIR servers
// answer errors with one), else the body's `error`, else the HTTP status text.
async function errorText(response) {
  const answer = await response.json().catch(() => ({}));
  const issues = (answer.issue || []).map((i) => i.diagnostics || (i.details || {}).text).filter(Boolean);
  return issues[0] || answer.error || response.statusText;
}

async function fhir(method, path, body) {
  let response;
  try {
    response = await fetch(`${state.fhirServer}/${path}`, {
      method, headers: fhirHeaders(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`The FHIR server ${state.fhirServer} cannot be reached (${error.message})`);
  }
  if (!response.ok) {
    throw new Error(`FHIR server: ${method} ${path.split('?')[0]} answered ${response.status}: ${await errorText(response)}`);
  }
  return response.status === 204 ? null : response.json();
}

function patientName(patient) {
  const name = (patient.name || [])[0] || {};
  return [...(name.given || []), name.family].filter(Boolean).join(' ') || patient.id;
}

async function loadPatients() {
  const patients = [];
  let bundle = await fhir('GET', 'Patient?_count=100');
  for (let page = 0; bundle && page < 20; page += 1) {
    patients.push(...(bundle.entry || []).map((e) => e.resource));
    const next = (bundle.link || []).find((l) => l.relation === 'next');
    bundle = next ? await (await fetch(next.url, { headers: fhirHeaders() })).json() : null;
  }
  patients.sort((a, b) => patientName(a).localeCompare(patientName(b)));
  $('patient').replaceChildren(...patients.map((p) => new Option(patientName(p), p.id)));
}

// --- patient banner: name, age, sex and the myositis diagnosis, as the EHR's header shows them ------
const MYOSITIS = /myositis|myopathy|antisynthetase|anti-synthetase/i;

function conceptText(concept) {
  return (concept || {}).text || (((concept || {}).coding || []).find((c) => c.display) || {}).display || '';
}

function ageInYears(birthDate, today = new Date()) {
  const born = new Date(`${birthDate}T00:00:00`);
  let years = today.getFullYear() - born.getFullYear();
  const month = today.getMonth() - born.getMonth();
  if (month < 0 || (month === 0 && today.getDate() < born.getDate())) years -= 1;
  return years;
}

function isActive(condition) {
  const status = (((condition.clinicalStatus || {}).coding || [])[0] || {}).code;
  return !status || ['active', 'recurrence', 'relapse'].includes(status);
}

async function loadBanner(patientId) {
  ['banner-name', 'banner-age', 'banner-sex', 'banner-diagnosis'].forEach((id) => { $(id).textContent = ''; });
  $('banner-diagnosis').classList.remove('missing');
  try {
    const [patient, conditions] = await Promise.all([
      fhir('GET', `Patient/${encodeURIComponent(patientId)}`),
      fhir('GET', `Condition?patient=${encodeURIComponent(patientId)}&_count=100`),
    ]);
    $('banner-name').textContent = patientName(patient);
    $('banner-age').textContent = patient.birthDate ? `${ageInYears(patient.birthDate)} years` : 'age unknown';
    $('banner-sex').textContent = patient.gender || 'sex unknown';
    const diagnoses = (conditions.entry || []).map((e) => e.resource).filter(isActive).map((c) => conceptText(c.code))
      .filter((text) => MYOSITIS.test(text));
    $('banner-diagnosis').textContent = diagnoses.length ? diagnoses.join(', ') : 'no myositis diagnosis on record';
    $('banner-diagnosis').classList.toggle('missing', !diagnoses.length);
  } catch (error) {
    $('banner-name').textContent = `Patient ${patientId}: ${error.message}`;
  }
}

// --- draft orders ------------------------------------------------------------------------------
function option(select, value, label) {
  if (![...select.options].some((o) => o.value === value)) select.add(new Option(label, value));
  select.value = value;
}

function frequencyLabel(repeat) {
  const key = `${repeat.frequency}/${repeat.period}/${repeat.periodUnit}`;
  const known = FREQUENCIES.find(([value]) => value === key);
  return known ? known[1] : `${repeat.frequency} per ${repeat.period} ${repeat.periodUnit}`;
}

function primaryDraft() {
  const [code, display] = PRODUCTS.find(([c]) => c === $('draft-drug').value)
    || [$('draft-drug').value, $('draft-drug').selectedOptions[0].textContent];
  const dose = Number($('draft-dose').value);
  const [frequency, period, periodUnit] = $('draft-frequency').value.split('/');
  const repeat = { frequency: Number(frequency), period: Number(period), periodUnit };
  return {
    resourceType: 'MedicationRequest', id: PRIMARY_DRAFT, status: 'draft', intent: 'order',
    medicationCodeableConcept: { coding: [{ system: RXNORM, code, display }], text: display },
    subject: { reference: `Patient/${$('patient').value}` },
    authoredOn: new Date().toISOString().slice(0, 10),
    dosageInstruction: [{
      text: `${dose} mg by mouth ${frequencyLabel(repeat)}`,
      timing: { repeat },
      route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006', display: 'Oral route' }] },
      doseAndRate: [{ doseQuantity: { value: dose, unit: 'mg', system: UCUM, code: 'mg' } }],
    }],
  };
}

function editorChanged() {
  const draft = primaryDraft();
  const index = state.drafts.findIndex((d) => d.id === PRIMARY_DRAFT);
  if (index >= 0) state.drafts[index] = draft; else state.drafts.unshift(draft);
  renderDrafts();
}

function syncEditor() {
  // Show the primary draft as changed by an accepted suggestion (drug, dose, frequency).
  const draft = state.drafts.find((d) => d.id === PRIMARY_DRAFT && d.resourceType === 'MedicationRequest');
  if (!draft) return;
  const coding = ((draft.medicationCodeableConcept || {}).coding || [])[0];
  if (coding) option($('draft-drug'), coding.code, coding.display || coding.code);
  const dosage = (draft.dosageInstruction || [])[0] || {};
  const dose = (((dosage.doseAndRate || [])[0] || {}).doseQuantity || {}).value;
  if (dose !== undefined) $('draft-dose').value = dose;
  const repeat = (dosage.timing || {}).repeat;
  if (repeat) option($('draft-frequency'), `${repeat.frequency}/${repeat.period}/${repeat.periodUnit}`, frequencyLabel(repeat));
}

function describeDraft(draft) {
  const name = ((draft.medicationCodeableConcept || draft.code || {}).text)
    || (((draft.medicationCodeableConcept || draft.code || {}).coding || [])[0] || {}).display || draft.resourceType;
  const dosage = (draft.dosageInstruction || [])[0];
  const dose = dosage && (((dosage.doseAndRate || [])[0] || {}).doseQuantity || {});
  const repeat = dosage && (dosage.timing || {}).repeat;
  return [name, dose && dose.value !== undefined ? `${dose.value} ${dose.unit || ''}`.trim() : '',
    repeat ? frequencyLabel(repeat) : ''].filter(Boolean).join(', ');
}

function renderDrafts() {
  $('no-drafts').hidden = state.drafts.length > 0;
  $('sign').disabled = state.drafts.length === 0;
  if (state.reviewed !== JSON.stringify(state.drafts)) $('sign').textContent = 'Sign orders';
  $('drafts').replaceChildren(...state.drafts.map((draft) => {
    const item = document.createElement('li');
    item.dataset.id = draft.id;
    item.dataset.type = draft.resourceType;
    item.textContent = describeDraft(draft);
    const remove = document.createElement('button');
    remove.type = 'button'; remove.className = 'secondary'; remove.textContent = 'Remove';
    remove.addEventListener('click', () => { state.drafts = state.drafts.filter((d) => d !== draft); renderDrafts(); });
    item.append(remove);
    return item;
  }));
}

// --- the CDS Hooks calls -----------------------------------------------------------------------
function hookRequest(hook) {
  const context = { userId: USER, patientId: $('patient').value };
  const entries = state.drafts.map((resource) => ({ resource }));
  if (hook === 'order-select') {
    // The order being chosen is the one in the editor; without it, every draft is selected.
    const primary = state.drafts.filter((d) => d.id === PRIMARY_DRAFT);
    context.selections = (primary.length ? primary : state.drafts).map((d) => `${d.resourceType}/${d.id}`);
    context.draftOrders = { resourceType: 'Bundle', type: 'collection', entry: entries };
  } else if (hook === 'order-sign') {
    context.draftOrders = { resourceType: 'Bundle', type: 'collection', entry: entries };
  }
  const request = { hook, hookInstance: uuid(), fhirServer: state.fhirServer, context };
  if (state.fhirToken) {
    request.fhirAuthorization = {
      access_token: state.fhirToken, token_type: 'Bearer', expires_in: 3600,
      scope: 'patient/*.read', subject: 'myositis-cds-demo',
    };
  }
  return request;  // no prefetch: the service fetches what it needs from fhirServer
}

async function service(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`The service answered ${response.status}: ${await errorText(response)}`);
  return response.json();
}

// Calls `hook` and shows its cards; the cards, or null when the call failed (the status says why).
async function runHook(hook) {
  const serviceId = state.services[hook];
  state.lastHook = hook;
  setStatus(`Calling ${serviceId} ...`);
  try {
    const answer = await service(`/cds-services/${serviceId}`, hookRequest(hook));
    const cards = answer.cards || [];
    renderCards(cards, serviceId);
    setStatus(cards.length ? `${cards.length} card(s) from ${serviceId}` : `No cards from ${serviceId}: nothing to suggest.`);
    return cards;
  } catch (error) {
    $('cards').replaceChildren();
    setStatus(error.message, true);
    return null;
  } finally {
    state.calls += 1;
    document.body.dataset.calls = String(state.calls);
  }
}

function callHook() {
  return runHook($('hook').value);
}

// --- signing: order-sign first; its cards are shown once, then "Sign anyway" writes the orders ------
function renderSigned(orders) {
  for (const order of orders) {
    const item = document.createElement('li');
    item.dataset.resource = `${order.resourceType}/${order.id}`;
    item.textContent = `${describeDraft(order)} (active)`;
    $('signed').append(item);
  }
}

async function writeOrders() {
  const signed = [];
  try {
    for (const draft of [...state.drafts]) {
      const order = {
        ...JSON.parse(JSON.stringify(draft)), id: uuid(), status: 'active', authoredOn: new Date().toISOString(),
        requester: { reference: USER },
      };
      await fhir('PUT', `${order.resourceType}/${order.id}`, order);
      state.drafts = state.drafts.filter((d) => d !== draft);
      signed.push(order);
    }
    setStatus(`Signed ${signed.length} order(s): written to the FHIR server as active orders.`);
    $('cards').replaceChildren();
  } catch (error) {
    setStatus(`Signing stopped: ${error.message}`, true);
  } finally {
    state.reviewed = null;
    renderSigned(signed);
    renderDrafts();
    document.body.dataset.signed = String(Number(document.body.dataset.signed || 0) + signed.length);
  }
}

async function sign() {
  const drafts = JSON.stringify(state.drafts);
  if (state.reviewed !== drafts) {
    const cards = await runHook('order-sign');
    if (cards === null) return;
    if (cards.length) {
      state.reviewed = drafts;
      $('sign').textContent = 'Sign anyway';
      setStatus(`${cards.length} card(s) on signing: review them, then sign anyway or change the orders.`);
      return;
    }
  }
  await writeOrders();
}

async function sendFeedback(serviceId, item, text) {
  await service(`/cds-services/${serviceId}/feedback`, { feedback: [{ ...item, outcomeTimestamp: new Date().toISOString() }] });
  const entry = document.createElement('li');
  entry.dataset.outcome = item.outcome;
  entry.dataset.card = item.card;
  entry.textContent = text;
  $('feedback-log').append(entry);
}

// --- applying a suggestion's actions, as an EHR does ---------------------------------------------
function resourceKey(action) {
  const [type, id] = (action.resourceId || '').includes('/') ? action.resourceId.split('/') : [null, action.resourceId];
  return { type: type || (action.resource || {}).resourceType, id: id || (action.resource || {}).id };
}

// Applies one action; true when it changed the record on the FHIR server (not only the unsigned orders).
async function applyAction(action) {
  const resource = action.resource ? JSON.parse(JSON.stringify(action.resource)) : null;
  if (action.type === 'create' && resource) {
    if (resource.status === 'draft' || !resource.id) {
      resource.id = resource.id || `draft-${state.nextDraft++}`;
      state.drafts.push(resource);
      return false;
    }
    await fhir('PUT', `${resource.resourceType}/${resource.id}`, resource);
    return true;
  }
  if (action.type === 'update' && resource) {
    const index = state.drafts.findIndex((d) => d.id === resource.id && d.resourceType === resource.resourceType);
    if (index >= 0) { state.drafts[index] = resource; return false; }
    await fhir('PUT', `${resource.resourceType}/${resource.id}`, resource);  // an order on record
    return true;
  }
  if (action.type === 'delete') {
    const { type, id } = resourceKey(action);
    const before = state.drafts.length;
    state.drafts = state.drafts.filter((d) => !(d.id === id && (!type || d.resourceType === type)));
    if (state.drafts.length === before && type && id) { await fhir('DELETE', `${type}/${id}`); return true; }
  }
  return false;
}

async function accept(card, suggestion, serviceId, node) {
  let recordChanged = false;
  try {
    for (const action of suggestion.actions || []) recordChanged = (await applyAction(action)) || recordChanged;
    renderDrafts();
    syncEditor();
    await sendFeedback(serviceId, { card: card.uuid, outcome: 'accepted', acceptedSuggestions: [{ id: suggestion.uuid }] },
      `accepted: ${card.summary} - ${suggestion.label}`);
  } catch (error) {
    setStatus(error.message, true);
    return;
  }
  if (state.lastHook === 'patient-view' && !recordChanged) {
    // Chart review: the new order waits with the unsigned orders; the card stays, marked accepted.
    node.classList.add('accepted');
    node.querySelectorAll('.accept').forEach((b) => { b.disabled = true; });
    setStatus(`Added to the unsigned orders: ${suggestion.label}. Sign orders to place it.`);
    return;
  }
  await runHook(state.lastHook);
}

async function dismiss(card, element, serviceId) {
  const select = element.querySelector('.override-reason');
  const comment = element.querySelector('.override-comment').value.trim();
  const item = { card: card.uuid, outcome: 'overridden' };
  let reasonText = 'no reason given';
  if (select && select.value !== '') {
    const reason = card.overrideReasons[Number(select.value)];
    item.overrideReason = { reason: { system: reason.system, code: reason.code, display: reason.display } };
    reasonText = reason.display || reason.code;
  }
  if (comment) item.overrideReason = { ...(item.overrideReason || {}), userComment: comment };
  try {
    await sendFeedback(serviceId, item, `overridden: ${card.summary} - ${reasonText}`);
    element.classList.add('dismissed');
    element.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  } catch (error) {
    setStatus(error.message, true);
  }
}

// --- cards, as an EHR shows them -----------------------------------------------------------------
function safeUrl(url) {
  // Only http(s) links are made clickable: a card's URL never becomes a javascript: or data: link.
  return /^https?:\/\//i.test(url || '') ? url : null;
}

// A `smart` link (the timeline app): the demo has no authorization server, so it opens the app on the
// open FHIR server (fhirclient's fhirServiceUrl launch) for the patient on screen, as an EHR launch would.
function smartLaunch(url) {
  if (!safeUrl(url)) return null;
  const launch = new URL(url);
  launch.searchParams.set('fhirServiceUrl', state.fhirServer);
  launch.searchParams.set('patientId', $('patient').value);
  return launch.toString();
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderCard(card, serviceId) {
  const node = element('article', `card indicator-${card.indicator}`);
  node.dataset.uuid = card.uuid || '';
  node.dataset.topic = ((card.source || {}).topic || {}).code || '';
  const title = element('h3');
  title.append(element('span', 'indicator', card.indicator), element('span', 'summary', card.summary));
  const detail = element('div', 'detail');
  detail.innerHTML = markdown(card.detail);  // escaped by markdown()
  node.append(title, detail);

  // The source once: no "Source" line when the detail's guideline line already links it, and each
  // further address once (a link to the source's, or a repeated one, is left out).
  const sourceUrl = safeUrl(card.source.url);
  const linkedInDetail = Boolean(sourceUrl) && (card.detail || '').includes(`](${card.source.url})`);
  const shown = new Set(sourceUrl ? [card.source.url] : []);
  const extras = (card.links || []).filter((l) => !shown.has(l.url) && shown.add(l.url));
  const source = element('p', 'source', linkedInDetail ? '' : 'Source: ');
  if (!linkedInDetail) {
    const link = element(sourceUrl ? 'a' : 'span', 'source-link', card.source.label);
    if (sourceUrl) { link.href = sourceUrl; link.target = '_blank'; link.rel = 'noopener noreferrer'; }
    source.append(link);
  }
  extras.forEach((extra, index) => {
    const url = extra.type === 'smart' ? smartLaunch(extra.url) : safeUrl(extra.url);
    const a = element(url ? 'a' : 'span', 'card-link', extra.label);
    if (url) { a.href = url; a.target = '_blank'; a.rel = 'noopener noreferrer'; }
    source.append(index || !linkedInDetail ? ' | ' : 'See also: ', a);
  });
  if (source.childNodes.length) node.append(source);

  if ((card.suggestions || []).length) {
    const suggestions = element('div', 'suggestions');
    for (const suggestion of card.suggestions) {
      const button = element('button', `accept${suggestion.isRecommended ? ' recommended' : ''}`, suggestion.label);
      button.type = 'button';
      button.dataset.suggestion = suggestion.uuid || '';
      button.addEventListener('click', () => accept(card, suggestion, serviceId, node));
      suggestions.append(button);
    }
    node.append(suggestions);
  }

  const override = element('div', 'override');
  if ((card.overrideReasons || []).length) {
    const select = element('select', 'override-reason');
    select.setAttribute('aria-label', 'Override reason');
    select.add(new Option('Reason for dismissing ...', ''));
    card.overrideReasons.forEach((reason, index) => select.add(new Option(reason.display || reason.code, String(index))));
    override.append(select);
  }
  const comment = element('input', 'override-comment');
  comment.placeholder = 'Comment (optional)';
  comment.setAttribute('aria-label', 'Comment');
  const dismissButton = element('button', 'dismiss secondary', 'Dismiss');
  dismissButton.type = 'button';
  dismissButton.addEventListener('click', () => dismiss(card, node, serviceId));
  override.append(comment, dismissButton);
  node.append(override);
  return node;
}

function renderCards(cards, serviceId) {
  $('cards').replaceChildren(...cards.map((card) => renderCard(card, serviceId)));
}

// --- start ----------------------------------------------------------------------------------------
function hookChanged() {
  const orders = $('hook').value !== 'patient-view';
  $('draft-editor').hidden = !orders;
  if (orders && !state.drafts.some((d) => d.id === PRIMARY_DRAFT)) editorChanged();
  $('cards').replaceChildren();
}

function patientChanged() {
  state.drafts = [];
  state.reviewed = null;
  if ($('hook').value !== 'patient-view') editorChanged(); else renderDrafts();
  $('cards').replaceChildren();
  $('feedback-log').replaceChildren();
  $('signed').replaceChildren();
  loadBanner($('patient').value);
}

async function start() {
  PRODUCTS.forEach(([code, name]) => $('draft-drug').add(new Option(name, code)));
  FREQUENCIES.forEach(([value, label]) => $('draft-frequency').add(new Option(label, value)));
  ['draft-drug', 'draft-dose', 'draft-frequency'].forEach((id) => $(id).addEventListener('change', editorChanged));
  $('hook').addEventListener('change', hookChanged);
  $('patient').addEventListener('change', patientChanged);
  $('call').addEventListener('click', callHook);
  $('sign').addEventListener('click', sign);
  if (!state.fhirServer) {
    setStatus('Open this page with ?fhirServer=<FHIR base URL> (make demo prints the full URL).', true);
    return;
  }
  $('fhir-server').textContent = state.fhirServer;
  try {
    const discovery = await service('/cds-services');
    for (const s of discovery.services) state.services[s.hook] = s.id;
    await loadPatients();
  } catch (error) {
    setStatus(error.message, true);
    return;
  }
  patientChanged();
  hookChanged();
  document.body.dataset.ready = 'true';
  setStatus('Choose a patient and a hook, then call the service.');
}

document.addEventListener('DOMContentLoaded', start);
