// The console's page: signs in, follows the server's live view (server-sent events), shows an
// alert's detail and writes answers. Every text that comes from an alert or an answer is put into
// the page as text (textContent, createTextNode), never parsed as markup.
'use strict';

const STATUS = {
  RECEIVED: '已签收', VERIFYING: '核查中', CONFIRMED: '确认属实', FALSE_ALARM: '误报', RESOLVED: '已处置',
};
const PROVINCE = { '310000': '上海', '320000': '江苏', '330000': '浙江', '340000': '安徽', YRD: '长三角中心' };
const TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

const state = { me: null, view: null, now: 0, selected: null, detail: null, events: null };

const $ = (id) => document.getElementById(id);

/** An element with attributes and children; strings become text nodes. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v; else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

function time(ms) {
  return ms ? TIME.format(new Date(ms)).replace(/\//g, '-') : '—';
}

function duration(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = String(m).padStart(h ? 2 : 1, '0'), ss = String(sec).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Where a province stands with an alert, as a short label and a class. */
function standing(s, cancelled) {
  if (s.status) {
    return { text: STATUS[s.status] + ' ' + s.status + (s.escalated ? ' · 曾升级' : ''), cls: 'answered st-' + s.status };
  }
  if (s.escalated) return { text: '未签收 · 已升级 escalated', cls: 'escalated' };
  if (cancelled) return { text: '已撤销 cancelled', cls: 'quiet' };
  if (s.deadline === null || s.deadline === undefined) return { text: '待签收 awaiting', cls: 'awaiting' };
  const left = s.deadline - state.now;
  return left >= 0
    ? { text: '剩余 ' + duration(left) + ' left', cls: 'awaiting countdown', deadline: s.deadline }
    : { text: '超时 ' + duration(left) + ' overdue', cls: 'overdue countdown', deadline: s.deadline };
}

function chip(s, cancelled, withProvince) {
  const st = standing(s, cancelled);
  const e = el('span', { class: 'chip ' + st.cls, 'data-province': s.province, 'data-deadline': st.deadline },
    withProvince ? PROVINCE[s.province] + ' ' : '', el('span', { class: 'text' }, st.text));
  e.dataset.status = s.status || '';
  e.dataset.escalated = s.escalated ? 'true' : 'false';
  e.dataset.cancelled = cancelled ? 'true' : 'false';
  return e;
}

// ---------------------------------------------------------------------------------------------
// signing in and out

async function api(path, options) {
  const r = await fetch(path, Object.assign({ credentials: 'same-origin' }, options));
  let body = null;
  try { body = await r.json(); } catch (e) { /* not JSON */ }
  return { status: r.status, ok: r.ok, body };
}

async function start() {
  const me = await api('/api/me');
  if (me.status === 401) return showSignIn('');
  if (!me.ok) return showSignIn('服务器错误 ' + me.status);
  signedIn(me.body);
}

function showSignIn(message) {
  $('app').hidden = true;
  $('whoami').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message;
  $('token').focus();
}

async function signIn(event) {
  event.preventDefault();
  const token = $('token').value;
  $('token').value = '';
  const r = await api('/login', { method: 'POST', body: new URLSearchParams({ token }) });
  if (!r.ok) return showSignIn((r.body && r.body.error) || ('登录失败 ' + r.status));
  signedIn(r.body);
}

async function signOut() {
  await api('/api/logout', { method: 'POST', headers: { 'X-CSRF-Token': state.me.csrf || '' } });
  if (state.events) state.events.close();
  location.hash = '';
  location.reload();
}

function signedIn(me) {
  state.me = me;
  state.now = me.now;
  $('signin').hidden = true;
  $('app').hidden = false;
  $('whoami').hidden = false;
  $('who-name').textContent = me.name + (me.centre ? '' : ' ' + me.who) + ' · ' + me.operator;
  document.body.classList.toggle('is-centre', me.centre);
  $('centre').hidden = !me.centre;
  loadMap();
  follow();
  openFromHash();
}

// ---------------------------------------------------------------------------------------------
// the live view

function follow() {
  const events = new EventSource('/api/events');
  state.events = events;
  events.addEventListener('view', (m) => {
    state.view = JSON.parse(m.data);
    state.now = state.view.now;
    $('live').className = 'live on';
    render();
  });
  events.addEventListener('clock', (m) => {
    state.now = JSON.parse(m.data).now;
    tickCountdowns();
  });
  events.onerror = () => { $('live').className = 'live off'; };
}

function render() {
  const v = state.view;
  renderAlerts(v.alerts, v.total);
  if (state.me.centre) {
    $('skipped').textContent = v.skipped ? '跳过无法使用的记录 ' + v.skipped + ' unusable records skipped' : '';
    renderEscalations(v.escalations || []);
    renderProvinces(v.provinces || []);
    renderFeedback(v.feedback || []);
  }
  tickCountdowns();
  const row = state.selected && v.alerts.find((a) => a.alertId === state.selected);
  if (row && state.detail && (row.revision !== state.detail.revision || JSON.stringify(row.provinceStates) !== JSON.stringify(state.detail.provinceStates))) {
    openAlert(state.selected);
  }
}

function renderAlerts(alerts, total) {
  $('alert-count').textContent = alerts.length + (total > alerts.length ? ' / ' + total : '');
  const list = clear($('alerts'));
  if (!alerts.length) list.appendChild(el('li', { class: 'empty' }, '暂无预警 No alerts yet'));
  for (const a of alerts) {
    const li = el('li', {
      class: 'alert-row sev-' + a.severity + (a.cancelled ? ' cancelled' : '') + (a.escalation ? ' escalation' : '')
        + (a.alertId === state.selected ? ' selected' : ''),
      'data-alert-id': a.alertId, tabindex: 0,
    },
    el('div', { class: 'row-head' },
      el('span', { class: 'sev' }, a.severity),
      el('span', { class: 'type' }, a.msgType + ' r' + a.revision),
      a.escalation ? el('span', { class: 'tag-esc' }, '升级 ESCALATION') : null,
      el('span', { class: 'rule' }, a.ruleId),
      el('span', { class: 'at' }, time(a.detectedTs))),
    el('div', { class: 'summary' }, a.summary || ''),
    el('div', { class: 'chips' }, (a.provinceStates || []).map((s) => chip(s, a.cancelled, state.me.centre))));
    li.addEventListener('click', () => select(a.alertId));
    li.addEventListener('keydown', (e) => { if (e.key === 'Enter') select(a.alertId); });
    list.appendChild(li);
  }
}

function renderEscalations(rows) {
  $('esc-count').textContent = rows.length;
  const body = clear(document.querySelector('#escalations tbody'));
  for (const e of rows) {
    const province = e.alertId.substring(e.alertId.lastIndexOf(':') + 1);
    const parent = (e.references && e.references[0]) || '';
    const parentRow = state.view.alerts.find((a) => a.alertId === parent);
    const s = parentRow && (parentRow.provinceStates || []).find((p) => p.province === province);
    const tr = el('tr', { class: 'sev-' + e.severity, 'data-alert-id': e.alertId, 'data-province': province },
      el('td', {}, PROVINCE[province] + ' ' + province),
      el('td', { class: 'sev' }, e.severity),
      el('td', { class: 'mono', title: parent }, parent),
      el('td', {}, time(e.detectedTs)),
      el('td', {}, s ? chip(s, parentRow.cancelled, false) : '—'),
      el('td', { class: 'summary', title: e.summary || '' }, e.summary || ''));
    tr.addEventListener('click', () => select(parent || e.alertId));
    body.appendChild(tr);
  }
}

function renderProvinces(provinces) {
  const box = clear($('provinces'));
  for (const p of provinces) {
    const answered = Object.entries(p.answered || {}).map(([k, n]) => el('span', { class: 'chip answered st-' + k }, STATUS[k] + ' ' + n));
    const open = el('ul', { class: 'awaiting-list' });
    for (const a of p.awaiting.slice(0, 8)) {
      const item = el('li', { 'data-alert-id': a.alertId },
        chip({ province: p.province, deadline: a.deadline, escalated: a.escalated, status: null }, false, false),
        el('span', { class: 'sev sev-' + a.severity }, a.severity), ' ',
        el('span', { class: 'summary' }, a.summary || ''));
      item.addEventListener('click', () => select(a.alertId));
      open.appendChild(item);
    }
    if (p.awaiting.length > 8) open.appendChild(el('li', { class: 'more' }, '… +' + (p.awaiting.length - 8)));
    box.appendChild(el('div', { class: 'province', 'data-province': p.province },
      el('h3', {}, p.name + ' ', el('small', {}, p.province)),
      el('div', { class: 'figures' },
        el('span', { class: 'big' + (p.awaiting.length ? ' warn' : '') }, String(p.awaiting.length)), ' 待签收 awaiting · ',
        el('span', { class: 'big' + (p.escalated ? ' bad' : '') }, String(p.escalated)), ' 已升级 escalated'),
      el('div', { class: 'chips' }, answered),
      open));
  }
}

function renderFeedback(rows) {
  const body = clear(document.querySelector('#feedback tbody'));
  if (!rows.length) {
    body.appendChild(el('tr', {}, el('td', { colspan: 8, class: 'empty' }, '尚无已结束小时的反馈 No hour closed yet')));
  }
  for (const f of rows) {
    const median = f.medianTimeToAckMs === null || f.medianTimeToAckMs === undefined ? '—' : duration(f.medianTimeToAckMs);
    body.appendChild(el('tr', { 'data-rule': f.ruleId, 'data-hour': f.hourStart },
      el('td', { class: 'mono' }, f.ruleId), el('td', {}, time(f.hourStart)),
      el('td', { class: 'num' }, f.alerts), el('td', { class: 'num' }, f.acknowledged), el('td', { class: 'num' }, f.confirmed),
      el('td', { class: 'num' }, f.falseAlarms), el('td', { class: 'num' }, f.resolved), el('td', { class: 'num' }, median)));
  }
}

/** Countdowns follow the event-time clock the server sends every second. */
function tickCountdowns() {
  $('clock').textContent = time(state.now);
  for (const c of document.querySelectorAll('.chip.countdown')) {
    const left = Number(c.dataset.deadline) - state.now;
    c.querySelector('.text').textContent = left >= 0 ? '剩余 ' + duration(left) + ' left' : '超时 ' + duration(left) + ' overdue';
    c.classList.toggle('overdue', left < 0);
    c.classList.toggle('awaiting', left >= 0);
  }
}

// ---------------------------------------------------------------------------------------------
// one alert

function select(alertId) {
  location.hash = 'alert=' + encodeURIComponent(alertId);
}

function openFromHash() {
  const m = location.hash.match(/^#alert=(.+)$/);
  if (m) openAlert(decodeURIComponent(m[1]));
}

async function openAlert(alertId) {
  state.selected = alertId;
  for (const li of document.querySelectorAll('.alert-row')) li.classList.toggle('selected', li.dataset.alertId === alertId);
  const r = await api('/api/alert?id=' + encodeURIComponent(alertId));
  if (state.selected !== alertId) return;
  if (!r.ok) {
    state.detail = null;
    $('detail').hidden = true;
    $('detail-error').textContent = r.status + ' ' + ((r.body && r.body.error) || '');
    $('detail-error').dataset.status = r.status;
    highlight([], null);
    return;
  }
  $('detail-error').textContent = '';
  delete $('detail-error').dataset.status;
  renderDetail(r.body);
}

function renderDetail(d) {
  state.detail = d;
  $('detail').hidden = false;
  $('detail').dataset.alertId = d.alertId;
  $('detail-severity').textContent = d.severity;
  $('detail-severity').className = 'sev sev-' + d.severity;
  $('detail-type').textContent = d.msgType + ' r' + d.revision + ' · ' + d.ruleId + (d.ruleVersion ? ' v' + d.ruleVersion : '');
  $('detail-id').textContent = d.alertId;
  $('detail-summary').textContent = d.summary || '';
  const facts = clear($('detail-facts'));
  const fact = (k, v) => { facts.appendChild(el('dt', {}, k)); facts.appendChild(el('dd', {}, v)); };
  fact('省份 Provinces', (d.provinces || []).map((p) => PROVINCE[p] + ' ' + p).join(' · '));
  fact('城市 Cities', (d.cities || []).map((c) => ((d.cityNames || {})[c] || '') + ' ' + c).join(' · '));
  fact('发现 Detected', time(d.detectedTs));
  fact('事件 Events', time(d.firstEventTs) + ' → ' + time(d.lastEventTs));
  if (d.identifiers && d.identifiers.length) fact('涉案标识 Identifiers', d.identifiers.join(' · '));
  if (d.lossCny !== undefined) fact('损失 Loss', '¥' + Number(d.lossCny).toLocaleString('zh-CN'));
  if (d.references && d.references.length) fact('关联 References', d.references.join(' · '));
  renderSla(d);

  const mine = !state.me.centre;
  $('ack-box').hidden = !mine;
  if (mine) {
    const target = d.escalation ? (d.references || [])[0] : d.alertId;
    $('ack-box').dataset.target = target || '';
    $('ack-result').textContent = d.escalation ? '此为升级通知；反馈写入原预警 ' + target : '';
  }

  const acks = clear(document.querySelector('#detail-acks tbody'));
  if (!d.acks.length) acks.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'empty' }, '尚无反馈 No answer yet')));
  for (const a of d.acks) {
    acks.appendChild(el('tr', { 'data-status': a.status, 'data-province': a.province },
      el('td', {}, PROVINCE[a.province] || a.province), el('td', { class: 'st-' + a.status }, STATUS[a.status] + ' ' + a.status),
      el('td', {}, time(a.ts)), el('td', {}, a.operator || ''), el('td', { class: 'note' }, a.note || '')));
  }
  const history = clear(document.querySelector('#detail-history tbody'));
  for (const h of d.history) {
    history.appendChild(el('tr', { 'data-msg-type': h.msgType },
      el('td', {}, h.revision), el('td', {}, h.msgType), el('td', { class: 'sev-' + h.severity }, h.severity),
      el('td', {}, time(h.detectedTs)), el('td', { class: 'num' }, h.evidenceCount), el('td', { class: 'summary' }, h.summary || '')));
  }
  $('evidence-count').textContent = d.evidenceCount > d.evidence.length ? d.evidence.length + ' / ' + d.evidenceCount : String(d.evidence.length);
  const ev = clear($('detail-evidence'));
  for (const e of d.evidence) ev.appendChild(el('li', {}, e.stream + ' ' + e.id));
  highlight(d.cities || [], d.mapPoint || null);
}

function renderSla(d) {
  const sla = clear($('detail-sla'));
  for (const s of d.provinceStates || []) sla.appendChild(chip(s, d.cancelled, state.me.centre));
}

async function answer(status) {
  const target = $('ack-box').dataset.target;
  if (!target) return;
  const note = $('ack-note').value;
  $('ack-result').textContent = '写入中… writing';
  const r = await api('/api/ack', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state.me.csrf || '' },
    body: JSON.stringify({ alertId: target, status, note }),
  });
  if (r.ok) {
    $('ack-note').value = '';
    $('ack-result').textContent = '已写入 ' + r.body.topic + '：' + STATUS[status] + ' ' + status;
    $('ack-result').dataset.written = status;
  } else {
    $('ack-result').textContent = '未写入 not written: ' + r.status + ' ' + ((r.body && r.body.error) || '');
  }
}

// ---------------------------------------------------------------------------------------------
// the map

async function loadMap() {
  if ($('map').firstChild) return;
  const r = await fetch('/assets/map.svg');
  const doc = new DOMParser().parseFromString(await r.text(), 'image/svg+xml');
  $('map').appendChild(document.importNode(doc.documentElement, true));
  if (state.detail) highlight(state.detail.cities || [], state.detail.mapPoint || null);
}

function highlight(cities, point) {
  const svg = $('map').querySelector('svg');
  if (!svg) return;
  const hit = new Set(cities.map(String));
  for (const p of svg.querySelectorAll('path.city')) p.classList.toggle('hit', hit.has(p.dataset.city));
  const old = svg.querySelector('#marker');
  if (old) old.remove();
  if (point) {
    const c = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
    c.setAttribute('id', 'marker');
    c.setAttribute('cx', point.x);
    c.setAttribute('cy', point.y);
    c.setAttribute('r', 7);
    svg.appendChild(c);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  for (const b of document.querySelectorAll('button.ack')) b.addEventListener('click', () => answer(b.dataset.status));
  window.addEventListener('hashchange', openFromHash);
  start();
});
