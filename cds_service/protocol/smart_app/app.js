// The myositis timeline (issue 26): reads the patient's record with the SMART token (memory only),
// draws the course on one time axis, and asks the service for the current cards with the record it
// read (prefetch), so the token never leaves the browser except to the FHIR server.
//
// Series are recognised with the service's own codes, names, equivalence factors and taper threshold
// (GET timeline.json). A value is drawn only as recorded: an order whose dose cannot be read is listed
// as such, never guessed.
'use strict';

const DAY_MS = 86400000;
// Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), with dash patterns
// so that series stay apart in greyscale print too.
const COLOURS = { blue: '#0072b2', vermillion: '#d55e00', green: '#009e73', purple: '#cc79a7', orange: '#e69f00',
  black: '#000000' };
// Every chart has a y axis of this width on both sides, so that their plot areas (and the agents' bars)
// share one time axis on screen.
const AXIS_SIZE = 64;
const COURSE_NAMES = { muscle: 'CK and aldolase', glucocorticoid: 'glucocorticoid dose', agents: 'steroid-sparing agents',
  lung: 'lung function' };

// Exposed for the browser tests and for debugging: what was read and what each chart draws.
window.timeline = { charts: {}, cards: [] };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function setStatus(text, isError) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.classList.toggle('error', Boolean(isError));
}

// --- reading the record ----------------------------------------------------------------------------

// A prefetch template as a query, its parameters percent-encoded (`system|code` tokens with a raw `//`
// or `|` do not survive every proxy: the SMART launcher's drops them).
function fill(template, context) {
  const query = template.replace(/\{\{\s*context\.(\w+)\s*\}\}/g, (_, key) => context[key] || '');
  const [path, search] = query.split('?', 2);
  return search === undefined ? path : `${path}?${new URLSearchParams(search)}`;
}

function searchset(resources) {
  return { resourceType: 'Bundle', type: 'searchset', total: resources.length,
    entry: resources.map((resource) => ({ resource })) };
}

async function readAll(client, query) {
  // Every page: the course needs the whole history (pageLimit 0 follows every "next" link).
  const result = await client.request(query, { pageLimit: 0, flat: true });
  return Array.isArray(result) ? result : [result];
}

// The patient-view prefetch, read with the app's token: the same queries the service would make.
async function readPrefetch(client, templates, context) {
  const prefetch = {};
  const failed = [];
  await Promise.all(Object.entries(templates).map(async ([key, template]) => {
    const query = fill(template, context);
    try {
      prefetch[key] = query.includes('?') ? searchset(await readAll(client, query)) : await client.request(query);
    } catch (error) {
      failed.push(key);
    }
  }));
  return { prefetch, failed };
}

function entries(bundle) {
  return ((bundle && bundle.entry) || []).map((e) => e.resource).filter(Boolean);
}

function uniqueById(resources) {
  const seen = new Map();
  for (const resource of resources) seen.set(`${resource.resourceType}/${resource.id}`, resource);
  return [...seen.values()];
}

// --- recognising what the service recognises ----------------------------------------------------

function wordPattern(names) {
  const escaped = [...names].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return escaped.length ? new RegExp(`(?<![\\w])(?:${escaped.join('|')})(?![\\w])`, 'i') : /(?!)/;
}

function conceptText(concept) {
  if (!concept) return '';
  return [...new Set([concept.text, ...(concept.coding || []).map((c) => c.display)].filter(Boolean))].join(' | ');
}

function codeTokens(concept) {
  return ((concept && concept.coding) || []).map((c) => `${c.system}|${c.code}`);
}

// As the service: by code, else by a whole word of the test's name (antibodies: and a word that says
// antibody, `antibody_word`, so that "SRP" in another test's name is not read as anti-SRP).

function matcher(series, nameAlsoNeeds) {
  const codes = new Set(series.codes);
  const names = wordPattern(series.names);
  return (observation) => {
    if (codeTokens(observation.code).some((t) => codes.has(t))) return true;
    const text = conceptText(observation.code);
    return series.names.length > 0 && names.test(text) && (!nameAlsoNeeds || nameAlsoNeeds.test(text));
  };
}

const USABLE = (resource) => !['entered-in-error', 'cancelled', 'draft'].includes(resource.status);

function observationTime(observation) {
  const when = observation.effectiveDateTime || (observation.effectivePeriod || {}).start || observation.issued;
  const time = when ? Date.parse(when) : NaN;
  return Number.isNaN(time) ? null : time;
}

function observationValue(observation) {
  const quantity = observation.valueQuantity;
  if (quantity && typeof quantity.value === 'number') {
    const range = (observation.referenceRange || [])[0] || {};
    return { value: quantity.value, unit: quantity.unit || quantity.code || '',
      upper: range.high && typeof range.high.value === 'number' ? range.high.value : null };
  }
  return null;
}

// A result as text: a number with its unit, else the coded result's display, or its reading as the
// service reads the code (`qualitative`), else the text or the interpretation.
function observationText(observation, qualitative) {
  const numeric = observationValue(observation);
  if (numeric) return `${numeric.value} ${numeric.unit}`.trim();
  const reading = codeTokens(observation.valueCodeableConcept).map((t) => qualitative[t]).find(Boolean);
  const coded = conceptText(observation.valueCodeableConcept) || reading || observation.valueString;
  const flag = ((observation.interpretation || [])[0] || {});
  return coded || conceptText(flag) || 'result not readable';
}

function dateText(time) {
  return time === null || time === undefined ? 'date not recorded' : new Date(time).toISOString().slice(0, 10);
}

// --- glucocorticoid orders ---------------------------------------------------------------------------

const MG_PER_UNIT = { mg: 1, g: 1000, ug: 0.001, mcg: 0.001 };
const TABLET = /^(\{?tbl\}?|tab|tabs|tablet|tablets|\{tablet\}|capsule|\{capsule\})$/i;
const PER_DAY = { h: 24, d: 1, wk: 1 / 7, mo: 12 / 365.25, a: 1 / 365.25 };

function medicationText(order) {
  return [conceptText(order.medicationCodeableConcept), (order.medicationReference || {}).display]
    .filter(Boolean).join(' | ');
}

// mg per day of one order as recorded, or null when the record does not say (never guessed).
function mgPerDay(order) {
  const dosage = (order.dosageInstruction || [])[0];
  if (!dosage || dosage.asNeededBoolean || dosage.asNeededCodeableConcept) return null;
  const quantity = (((dosage.doseAndRate || [])[0]) || {}).doseQuantity;
  const repeat = ((dosage.timing || {}).repeat) || null;
  if (!quantity || typeof quantity.value !== 'number' || !repeat || !(repeat.periodUnit in PER_DAY)) return null;
  const unit = String(quantity.code || quantity.unit || '').trim();
  let mg = null;
  if (unit.toLowerCase() in MG_PER_UNIT) {
    mg = quantity.value * MG_PER_UNIT[unit.toLowerCase()];
  } else if (TABLET.test(unit)) {
    const strength = /(\d+(?:\.\d+)?)\s*MG\b/i.exec(medicationText(order));
    mg = strength ? quantity.value * Number(strength[1]) : null;
  }
  if (mg === null) return null;
  const perPeriod = (repeat.frequency || 1) / (repeat.period || 1);
  return mg * perPeriod * PER_DAY[repeat.periodUnit];
}

function intravenous(order) {
  const route = ((order.dosageInstruction || [])[0] || {}).route;
  return /intravenous|\bIV\b/i.test(conceptText(route)) || codeTokens(route).includes('http://snomed.info/sct|47625008');
}

function orderPeriod(order) {
  const dosage = (order.dosageInstruction || [])[0] || {};
  const bounds = ((dosage.timing || {}).repeat || {}).boundsPeriod || {};
  const validity = (order.dispenseRequest || {}).validityPeriod || {};
  const start = Date.parse(bounds.start || validity.start || order.authoredOn || '');
  const end = Date.parse(bounds.end || validity.end || '');
  return { start: Number.isNaN(start) ? null : start, end: Number.isNaN(end) ? null : end,
    ongoing: ['active', 'on-hold'].includes(order.status) };
}

function classifyOrders(orders, parameters) {
  const glucocorticoids = Object.entries(parameters.glucocorticoids)
    .map(([drug, spec]) => ({ drug, factor: spec.prednisone_factor, pattern: wordPattern(spec.names) }));
  const agents = Object.entries(parameters.agents).map(([drug, names]) => ({ drug, pattern: wordPattern(names) }));
  const steroid = [];
  const sparing = [];
  for (const order of orders.filter(USABLE)) {
    const text = medicationText(order);
    // "methylprednisolone" is one word: the whole-word match never reads it as prednisolone.
    const gc = glucocorticoids.find((g) => g.pattern.test(text));
    const agent = agents.find((a) => a.pattern.test(text));
    if (gc) steroid.push({ order, text, drug: gc.drug, factor: gc.factor, ...orderPeriod(order) });
    else if (agent) sparing.push({ order, text, drug: agent.drug, ...orderPeriod(order) });
  }
  return { steroid, sparing };
}

// Prednisone-equivalent mg/day on `time`; an ongoing order still counts on its last day (today), so
// the line ends at the current dose.
function doseOn(counted, time) {
  return counted.filter((c) => c.start <= time && (time < c.until || (c.end === null && time === c.until)))
    .reduce((sum, c) => sum + c.equivalent, 0);
}

// The prednisone-equivalent daily dose as a step function (the days each order covers), the
// cumulative dose up to today, and the orders not counted with the reason.
function glucocorticoidCourse(steroidOrders, today) {
  const counted = [];
  const notCounted = [];
  for (const item of steroidOrders) {
    const perDay = mgPerDay(item.order);
    let reason = null;
    if (intravenous(item.order)) reason = 'intravenous pulse, not a daily dose';
    else if (perDay === null) reason = 'dose or frequency not readable';
    else if (item.start === null) reason = 'no start date';
    else if (item.end === null && !item.ongoing) reason = 'ended, end date not recorded';
    if (reason) notCounted.push({ ...item, reason });
    else counted.push({ ...item, perDay, equivalent: perDay * item.factor, until: item.end ?? today });
  }
  const changes = [...new Set(counted.flatMap((c) => [c.start, c.until]))].sort((a, b) => a - b);
  const steps = changes.map((time) => ({ time, dose: doseOn(counted, time) }));
  // Taken so far: up to today (an order may run on into the future).
  const past = [...new Set([...changes.filter((t) => t <= today), ...(changes.length ? [today] : [])])];
  const cumulative = [];
  let total = 0;
  past.forEach((time, index) => {
    if (index > 0) total += doseOn(counted, past[index - 1]) * (time - past[index - 1]) / DAY_MS;
    cumulative.push({ time, grams: total / 1000 });
  });
  return { counted, notCounted, steps, cumulative };
}

// --- drawing -----------------------------------------------------------------------------------------

function timeRange(times, today) {
  const known = times.filter((t) => t !== null && t !== undefined);
  const start = known.length ? Math.min(...known) : today - 90 * DAY_MS;
  const end = Math.max(today, ...known);
  const pad = Math.max((end - start) * 0.03, 3 * DAY_MS);
  return [start - pad, end + pad];
}

// One x array for several series (seconds, as uPlot wants), each series null where it has no value.
function aligned(seriesList) {
  const times = [...new Set(seriesList.flatMap((points) => points.map((p) => p.time)))].sort((a, b) => a - b);
  const columns = seriesList.map((points) => {
    const at = new Map(points.map((p) => [p.time, p.value]));
    return times.map((t) => (at.has(t) ? at.get(t) : null));
  });
  return [times.map((t) => t / 1000), ...columns];
}

function chart(name, range, seriesSpecs, pointSets, axes, scales) {
  const target = document.getElementById(`chart-${name}`);
  target.textContent = '';
  if (!pointSets.some((points) => points.length)) {
    target.append(element('p', 'none', 'Nothing on record.'));
    return null;
  }
  const options = {
    width: Math.max(target.clientWidth || 900, 320), height: 220,
    scales: { x: { time: true, range: [range[0] / 1000, range[1] / 1000] }, ...scales },
    series: [{ label: 'Date', value: (u, v) => (v === null ? '-' : dateText(v * 1000)) }, ...seriesSpecs],
    axes: [{}, ...axes.map((axis) => ({ size: AXIS_SIZE, ...axis }))],
    cursor: { sync: { key: 'course' } },
    legend: { live: true },
    hooks: { ready: [alignBars] },  // sizes are known once the chart is drawn
  };
  const plot = new uPlot(options, aligned(pointSets), target);
  window.timeline.charts[name] = plot;
  return plot;
}

function line(label, colour, extra) {
  return { label, stroke: colour, width: 2, spanGaps: true, points: { show: true, size: 7, fill: colour }, ...extra };
}

function table(caption, header, rows) {
  const node = element('table');
  node.append(element('caption', null, caption));
  const head = element('tr');
  header.forEach((h) => head.append(element('th', null, h)));
  node.append(head);
  for (const row of rows) {
    const tr = element('tr');
    row.forEach((cell) => tr.append(element('td', null, cell === null || cell === undefined ? '-' : String(cell))));
    node.append(tr);
  }
  if (!rows.length) {
    const empty = element('tr');
    empty.append(element('td', 'none', 'Nothing on record.'));
    node.append(empty);
  }
  return node;
}

function labPoints(observations) {
  return observations.map((o) => ({ time: observationTime(o), reading: observationValue(o), observation: o }))
    .filter((p) => p.time !== null && p.reading !== null).sort((a, b) => a.time - b.time);
}

function drawMuscle(observations, parameters, range) {
  const ck = labPoints(observations.filter(matcher(parameters.labs['creatine-kinase'])));
  const aldolase = labPoints(observations.filter(matcher(parameters.labs.aldolase)));
  const value = (points) => points.map((p) => ({ time: p.time, value: p.reading.value }));
  const upper = (points) => points.filter((p) => p.reading.upper !== null).map((p) => ({ time: p.time, value: p.reading.upper }));
  const unit = (points, fallback) => (points[0] ? points[0].reading.unit : fallback);
  chart('muscle', range, [
    line(`CK (${unit(ck, 'U/L')})`, COLOURS.blue, { scale: 'ck' }),
    line('CK upper limit', COLOURS.blue, { scale: 'ck', dash: [6, 4], width: 1, points: { show: false } }),
    line(`Aldolase (${unit(aldolase, 'U/L')})`, COLOURS.vermillion, { scale: 'aldolase', dash: [2, 3] }),
    line('Aldolase upper limit', COLOURS.vermillion, { scale: 'aldolase', dash: [10, 4], width: 1, points: { show: false } }),
  ], [value(ck), upper(ck), value(aldolase), upper(aldolase)],
  [{ scale: 'ck', label: 'CK' }, { scale: 'aldolase', side: 1, label: 'Aldolase', grid: { show: false } }],
  { ck: { range: (u, min, max) => [0, Math.max(max, 1) * 1.1] }, aldolase: { range: (u, min, max) => [0, Math.max(max, 1) * 1.1] } });
  const rows = [...ck.map((p) => ['CK', p]), ...aldolase.map((p) => ['Aldolase', p])]
    .map(([name, p]) => [dateText(p.time), name, p.reading.value, p.reading.unit, p.reading.upper]);
  document.getElementById('table-muscle').replaceChildren(
    table('CK and aldolase on record', ['Date', 'Test', 'Value', 'Unit', 'Upper limit'], rows));
}

function drawGlucocorticoid(course, parameters, range, today) {
  const taper = parameters.taper;
  const doses = course.steps.map((s) => ({ time: s.time, value: s.dose }));
  const cumulative = course.cumulative.map((c) => ({ time: c.time, value: c.grams }));
  const threshold = doses.length ? [{ time: range[0] + 1, value: taper.high_dose_mg_per_day },
    { time: range[1] - 1, value: taper.high_dose_mg_per_day }] : [];
  chart('glucocorticoid', range, [
    line('Prednisone equivalent (mg/day)', COLOURS.green, { scale: 'mg', paths: uPlot.paths.stepped({ align: 1 }) }),
    line('Cumulative (g)', COLOURS.purple, { scale: 'g', dash: [4, 4] }),
    line(`High dose (${taper.recommendation}): ${taper.high_dose_mg_per_day} mg/day`, COLOURS.black,
      { scale: 'mg', dash: [10, 5], width: 1, points: { show: false } }),
  ], [doses, cumulative, threshold],
  [{ scale: 'mg', label: 'mg/day' }, { scale: 'g', side: 1, label: 'g', grid: { show: false } }],
  { mg: { range: (u, min, max) => [0, Math.max(max, taper.high_dose_mg_per_day) * 1.15] },
    g: { range: (u, min, max) => [0, Math.max(max, 0.1) * 1.1] } });
  const current = doseOn(course.counted, today);
  const total = course.cumulative.length ? course.cumulative[course.cumulative.length - 1].grams : 0;
  document.getElementById('summary-glucocorticoid').textContent = course.counted.length
    ? `Now ${round(current)} mg/day prednisone equivalent; cumulative ${round(total, 2)} g since ${dateText(course.steps[0].time)}. `
      + `The service's taper rule (${taper.recommendation}) counts ${taper.high_dose_mg_per_day} mg/day `
      + `(or ${taper.high_dose_mg_per_kg} mg/kg) as high dose: it informs after ${taper.info_days} and warns after `
      + `${taper.warning_days} days without a reduction.`
    : 'No glucocorticoid dose on record that can be read.';
  const rows = [...course.counted.map((c) => [c.text, dateText(c.start), c.end ? dateText(c.end) : 'ongoing',
    round(c.perDay), round(c.equivalent), 'counted']),
  ...course.notCounted.map((c) => [c.text, dateText(c.start), c.end ? dateText(c.end) : '-', '-', '-', c.reason])];
  document.getElementById('table-glucocorticoid').replaceChildren(
    table('Glucocorticoid orders', ['Order', 'Start', 'End', 'mg/day', 'Prednisone eq. mg/day', 'Counted'], rows));
}

function round(value, digits = 1) {
  return Number(value.toFixed(digits)).toString();
}

function drawAgents(sparing, range, today) {
  const bars = document.getElementById('bars');
  bars.textContent = '';
  const span = range[1] - range[0];
  let drawn = 0;
  const rows = [];
  for (const item of sparing.sort((a, b) => (a.start ?? 0) - (b.start ?? 0))) {
    const dose = ((item.order.dosageInstruction || [])[0] || {}).text || '';
    const until = item.end ? dateText(item.end) : (item.ongoing ? 'now' : 'end not recorded');
    rows.push([item.text, dateText(item.start), until, dose]);
    if (item.start === null) continue;
    const end = item.end ?? (item.ongoing ? today : item.start);
    const row = element('div', 'bar-row');
    const from = ((item.start - range[0]) / span) * 100;
    const to = ((end - range[0]) / span) * 100;
    const label = element('span', 'bar-label', `${item.text}, ${dateText(item.start)} to ${until}`);
    if (from > 50) label.style.right = `${100 - to}%`;  // late bars: the label ends with the bar, on the page
    else label.style.left = `${from}%`;
    row.append(label);
    const bar = element('div', `bar ${item.drug}${item.end === null && item.ongoing ? ' ongoing' : ''}`);
    bar.style.left = `${from}%`;
    bar.style.width = `${Math.max(to - from, 0.4)}%`;
    bar.title = `${label.textContent}; ${dose}`;
    bar.dataset.drug = item.drug;
    bar.dataset.start = dateText(item.start);
    bar.dataset.end = item.end ? dateText(item.end) : '';
    row.append(bar);
    bars.append(row);
    drawn += 1;
  }
  if (!drawn) bars.append(element('p', 'none', 'No steroid-sparing agent, IVIG or rituximab on record.'));
  document.getElementById('table-agents').replaceChildren(
    table('Steroid-sparing agents, IVIG and rituximab', ['Order', 'Start', 'End', 'Dosage'], rows));
}

// The bars' box is the charts' plot area, so that a bar starts under the points of the same day.
function alignBars() {
  const plot = Object.values(window.timeline.charts)[0];
  if (!plot) return;
  const bars = document.getElementById('bars');
  bars.style.marginLeft = `${plot.over.offsetLeft}px`;
  bars.style.width = `${plot.over.offsetWidth}px`;
}

function drawLung(observations, parameters, range) {
  const lung = labPoints(observations.filter(matcher(parameters.labs['lung-function'])));
  const isDlco = (p) => /dlco|diffusing|transfer/i.test(conceptText(p.observation.code));
  const percent = (p) => p.reading.unit.trim() === '%';
  const fvc = lung.filter((p) => !isDlco(p) && percent(p)).map((p) => ({ time: p.time, value: p.reading.value }));
  const dlco = lung.filter((p) => isDlco(p) && percent(p)).map((p) => ({ time: p.time, value: p.reading.value }));
  chart('lung', range, [
    line('FVC (% predicted)', COLOURS.blue, { scale: '%' }),
    line('DLCO (% predicted)', COLOURS.orange, { scale: '%', dash: [6, 3] }),
  ], [fvc, dlco], [{ scale: '%', label: '% predicted' }, { scale: '%', side: 1, label: '% predicted', grid: { show: false } }],
  { '%': { range: (u, min, max) => [0, Math.max(max, 100) * 1.1] } });
  document.getElementById('table-lung').replaceChildren(table('Lung function on record', ['Date', 'Test', 'Value', 'Unit'],
    lung.map((p) => [dateText(p.time), conceptText(p.observation.code), p.reading.value, p.reading.unit])));
}

function listItems(id, items, empty) {
  const list = document.getElementById(id);
  list.replaceChildren(...(items.length ? items.map((text) => element('li', null, text)) : [element('li', 'none', empty)]));
}

function drawFacts(observations, conditions, parameters) {
  const antibodies = Object.entries(parameters.antibodies).flatMap(([name, series]) => {
    const match = matcher(series, new RegExp(parameters.antibody_word, 'i'));
    return observations.filter(match).map((o) => `${name}: ${observationText(o, parameters.qualitative)} (${dateText(observationTime(o))})`);
  });
  listItems('antibodies', [...new Set(antibodies)], 'No myositis antibody result on record.');
  listItems('diagnoses', conditions.filter(USABLE).map((c) => {
    const status = conceptText(c.clinicalStatus) || (c.clinicalStatus && c.clinicalStatus.coding && c.clinicalStatus.coding[0].code) || 'status not recorded';
    const since = c.onsetDateTime || c.recordedDate;
    return `${conceptText(c.code) || 'unnamed condition'} (${status}${since ? `, since ${since.slice(0, 10)}` : ''})`;
  }), 'No condition on record.');
  const safety = [['eGFR', parameters.labs.egfr], ['ALT', parameters.labs.alt], ['Pregnancy test (hCG)', parameters.labs.hcg]]
    .map(([label, series]) => {
      const found = observations.filter(matcher(series)).sort((a, b) => (observationTime(b) ?? 0) - (observationTime(a) ?? 0));
      if (!found.length) return `${label}: none on record`;
      const latest = found[0];
      const reading = observationValue(latest);
      const upper = reading && reading.upper !== null ? ` (upper limit ${reading.upper})` : '';
      return `${label}: ${observationText(latest, parameters.qualitative)}${upper} on ${dateText(observationTime(latest))}`;
    });
  listItems('safety', safety, '');
}

// --- cards -------------------------------------------------------------------------------------------

function drawCards(cards, parameters, note) {
  const list = document.getElementById('cards');
  window.timeline.cards = cards;
  if (note) {
    list.replaceChildren(element('li', 'none', note));
    return;
  }
  if (!cards.length) {
    list.replaceChildren(element('li', 'none', 'No cards: the service checked the record and has nothing to say.'));
    return;
  }
  list.replaceChildren(...cards.map((card) => {
    const topic = ((card.source || {}).topic || {}).code || '';
    const course = parameters.courses[topic];
    const item = element('li', `indicator-${card.indicator}`);
    item.dataset.topic = topic;
    item.append(element('span', 'indicator', card.indicator), element('span', 'summary', card.summary));
    if (course) {
      const link = element('a', 'course-link', `See ${COURSE_NAMES[course]}`);
      link.href = `#panel-${course}`;
      link.dataset.course = course;
      link.addEventListener('click', () => {
        document.querySelectorAll('.panel.pointed').forEach((p) => p.classList.remove('pointed'));
        document.getElementById(`panel-${course}`).classList.add('pointed');
      });
      item.append(link);
    }
    return item;
  }));
}

async function fetchCards(service, prefetch, context) {
  const response = await fetch(`../cds-services/${encodeURIComponent(service)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ hook: 'patient-view', hookInstance: crypto.randomUUID(), context, prefetch }),
  });
  if (response.status === 401) {
    return { note: 'The service accepts hook calls from the EHR only (authenticated clients): the cards are in the EHR.' };
  }
  if (!response.ok) return { note: `The service could not give cards (HTTP ${response.status}).` };
  return { cards: (await response.json()).cards || [] };
}

// --- the page --------------------------------------------------------------------------------------

function forgetStoredSession() {
  // fhirclient keeps its launch state (and the token) in sessionStorage across the redirect; once
  // ready, the client holds it in memory and nothing of it stays in the browser's storage.
  for (const key of Object.keys(sessionStorage)) sessionStorage.removeItem(key);
}

async function main() {
  document.getElementById('toggle-tables').addEventListener('click', (event) => {
    const on = document.body.classList.toggle('tables');
    event.target.setAttribute('aria-pressed', String(on));
    event.target.textContent = on ? 'Hide tables' : 'Show tables';
  });
  const client = await FHIR.oauth2.ready();
  forgetStoredSession();
  window.timeline.scope = client.state.tokenResponse.scope || '';  // the scopes granted, not the token
  const patientId = client.getPatientId();
  if (!patientId) throw new Error('the launch gave no patient');
  const parameters = await (await fetch('timeline.json')).json();
  const fhirUser = client.getFhirUser();
  const context = { patientId, userId: /^(Practitioner|PractitionerRole|Patient|RelatedPerson)\//.test(fhirUser || '')
    ? fhirUser : `Patient/${patientId}` };
  const lungCodes = parameters.labs['lung-function'].codes.join(',');
  const [{ prefetch, failed }, lungResults] = await Promise.all([
    readPrefetch(client, parameters.prefetch, context),
    readAll(client, `Observation?patient=${encodeURIComponent(patientId)}&code=${encodeURIComponent(lungCodes)}`)
      .catch(() => []),
  ]);
  const patient = prefetch.patient || {};
  const name = (patient.name || [])[0] || {};
  document.getElementById('patient-name').textContent = ': ' + (name.text || [...(name.given || []), name.family].filter(Boolean).join(' '));
  const observations = uniqueById([...entries(prefetch.observations), ...entries(prefetch.laboratory), ...lungResults]
    .filter((o) => o.resourceType === 'Observation' && USABLE(o)));
  const conditions = entries(prefetch.conditions);
  const orders = entries(prefetch.medications).filter((r) => r.resourceType === 'MedicationRequest');
  const today = Date.now();
  const { steroid, sparing } = classifyOrders(orders, parameters);
  const course = glucocorticoidCourse(steroid, today);
  const range = timeRange([...labPoints(observations).map((p) => p.time), ...steroid.map((s) => s.start),
    ...sparing.map((s) => s.start), ...sparing.map((s) => s.end)], today);
  window.timeline.range = range;
  drawMuscle(observations, parameters, range);
  drawGlucocorticoid(course, parameters, range, today);
  drawAgents(sparing, range, today);
  drawLung(observations, parameters, range);
  drawFacts(observations, conditions, parameters);
  setStatus(failed.length ? `Drawn from the record; could not read: ${failed.join(', ')}.` : 'Drawn from the record.',
    failed.length > 0);
  const answer = await fetchCards(parameters.service, prefetch, context).catch((error) => ({ note: `Cards not available: ${error.message}` }));
  drawCards(answer.cards || [], parameters, answer.note);
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  setStatus(`The timeline could not be drawn: ${error.message}`, true);
  document.body.dataset.ready = 'error';
});
