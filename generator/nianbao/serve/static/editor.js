/* nianbao serve — the unit's editor: autosave, findings next to the cells, conflicts shown.
 *
 * Plain JavaScript, no build, nothing fetched from elsewhere, no inline handlers (the CSP
 * forbids them).  The page carries its start state in <script type="application/json" id="boot">.
 *
 * Nothing typed is lost: every change goes to localStorage at once (with the version it was
 * typed on) and is removed only when the server acknowledged it; a reload, a closed tab or a
 * dropped connection re-sends it on the next load against that version.  Saves are debounced
 * (500 ms), one in flight at a time.  A 409 (someone else saved) stops saving and shows who,
 * when and what; the clerk chooses to reload, with or without re-applying their changes.
 *
 * Each tab keeps its unsent changes under a key of its own (the report's key + ":tab:" + an id
 * made when the page loads), so one tab's save never overwrites or removes another tab's kept
 * change (a conflicted tab keeps its change while the other tab goes on saving).  A page that
 * goes away (reload, close) marks its set as left; while a tab is open it holds a Web Lock named
 * after its id (where the browser has them) and refreshes a time stamp in its set.  On load, the
 * page offers every set left by a tab that is gone, one after the other, in the order they were
 * typed (each set says when its first unsent change was typed): its figures are put in the inputs
 * and sent against the version they were typed on — saved when nothing came between, shown as a
 * conflict otherwise; never dropped, never put silently over a newer version.  Which sets are left
 * is known only once the Web Locks are asked: none is offered before all are known, so the set
 * typed first is the one saved, whichever tab was closed first and whether a closing tab's last
 * write reached the storage.  The boot
 * element's "key" is rewritten to this tab's key, so a reader of the page (a test) can see whether
 * this tab still holds anything unsent.
 */
(function () {
  "use strict";

  var boot = document.getElementById("boot");
  var form = document.getElementById("report-form");
  if (!boot || !form) { return; }
  var state = JSON.parse(boot.textContent);
  var csrfMeta = document.querySelector('meta[name="csrf"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var statusEl = document.getElementById("save-status");
  var PREFIX = state.key + ":tab:";
  var TAB = tabId();
  var KEY = PREFIX + TAB;
  var LOCK = "nianbao-tab:" + TAB;
  var DEBOUNCE = 500;
  var HEARTBEAT = 5000; // ms between the time stamps of an open tab's kept set
  var STALE = 120000; // without Web Locks: a set not refreshed for this long belongs to a tab that is gone
  var timer = null;
  var inflight = false;
  var stopped = false; // a conflict or a lock: no more saves until the page is reloaded
  var retryDelay = 2000;
  var pending = { base: state.version, values: {}, since: 0 }; // {base: n, values: {name: text}, since: when its first change was typed}
  var waiting = []; // kept sets of tabs that are gone, offered after the current one: [{key, set}]
  var refusal = null; // why the server refused a value (400), said until the clerk types in that field again
  var refusedFields = {}; // names of the values refused, no longer sent
  var locks = window.navigator && window.navigator.locks && typeof window.navigator.locks.request === "function" ?
    window.navigator.locks : null;

  state.key = KEY;
  boot.textContent = JSON.stringify(state);

  // -- local storage: one set per tab --------------------------------------------------------------------
  function tabId() {
    var bytes = new Uint8Array(9);
    if (window.crypto && window.crypto.getRandomValues) { window.crypto.getRandomValues(bytes); }
    else { for (var i = 0; i < bytes.length; i += 1) { bytes[i] = Math.floor(Math.random() * 256); } }
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function storePending(open) {
    try {
      if (Object.keys(pending.values).length) {
        window.localStorage.setItem(KEY, JSON.stringify({ base: pending.base, values: pending.values, at: Date.now(),
                                                          since: pending.since || Date.now(), open: open !== false, tab: TAB }));
      } else {
        window.localStorage.removeItem(KEY);
      }
      return true;
    } catch (e) { return false; }
  }
  function hasPending() { return Object.keys(pending.values).length > 0; }
  function keptSets() {
    var out = [];
    try {
      for (var i = 0; i < window.localStorage.length; i += 1) {
        var key = window.localStorage.key(i);
        if (!key || key === KEY || key.indexOf(PREFIX) !== 0) { continue; }
        var set = null;
        try { set = JSON.parse(window.localStorage.getItem(key)); } catch (e) { set = null; }
        if (set && typeof set.base === "number" && set.values && typeof set.values === "object" && Object.keys(set.values).length) {
          out.push({ key: key, set: set });
        }
      }
    } catch (e) { /* storage unavailable: nothing to offer */ }
    out.sort(typedFirst);
    return out;
  }
  // The order sets are offered in: when their first change was typed (a set kept by an older page has
  // only the time it was last written).  Not the time of the last write: an open tab refreshes it every
  // few seconds, and a closing tab's last write may or may not reach the storage.
  function typedFirst(a, b) {
    return (a.set.since || a.set.at || 0) - (b.set.since || b.set.at || 0);
  }
  function gone(entry, held) {
    if (entry.set.open === false) { return true; }
    if (held) { return held.indexOf("nianbao-tab:" + entry.set.tab) < 0; }
    return Date.now() - (entry.set.at || 0) > STALE;
  }
  // Take the next left set (if this tab holds nothing): its figures in the inputs, sent on its base.
  function adoptNext() {
    if (stopped || inflight || hasPending() || state.locked) { return false; }
    while (waiting.length) {
      var entry = waiting.shift();
      var raw = null;
      try { raw = window.localStorage.getItem(entry.key); } catch (e) { raw = null; }
      if (raw === null) { continue; } // taken by another tab meanwhile
      try { window.localStorage.removeItem(entry.key); } catch (e) { /* kept by us from now on anyway */ }
      pending = { base: entry.set.base, values: entry.set.values, since: entry.set.since || entry.set.at || Date.now() };
      storePending();
      Object.keys(pending.values).forEach(function (name) {
        var el = byName(name);
        if (el) { el.value = pending.values[name]; }
      });
      say("上次的改动尚未保存，正在重新保存…", "busy");
      schedule(10);
      return true;
    }
    return false;
  }
  function offerLeftSets() {
    var sets = keptSets();
    if (!sets.length) { return; }
    if (state.locked) {
      // A kept set the report already holds (every figure as shown) was saved before the report was
      // submitted: nothing is lost by forgetting it.  Only a set that differs is said.
      var differing = sets.filter(function (e) {
        var same = Object.keys(e.set.values).every(function (name) {
          var el = byName(name);
          return el !== null && el.value === e.set.values[name];
        });
        if (same) { try { window.localStorage.removeItem(e.key); } catch (x) { /* left as it was */ } }
        return !same;
      });
      if (differing.length) {
        say("本机还保存着" + differing.length + "组没有保存的改动；报告" + state.status + "，现在不能修改（改动仍保存在本机）", "error");
      }
      return;
    }
    var sure = sets.filter(function (e) { return e.set.open === false || (!locks && gone(e, null)); });
    var unsure = sets.filter(function (e) { return sure.indexOf(e) < 0; });
    if (!unsure.length || !locks || typeof locks.query !== "function") {
      waiting = sure;
      adoptNext();
      return;
    }
    if (!hasPending()) { say("正在检查本机暂存的改动…", "busy"); }
    locks.query().then(function (snapshot) {
      var held = (snapshot.held || []).concat(snapshot.pending || []).map(function (l) { return l.name; });
      waiting = sure.concat(unsure.filter(function (e) { return gone(e, held); })).sort(typedFirst);
      if (!adoptNext() && !hasPending() && !inflight && !stopped) { say("已保存 第" + state.version + "版", "ok"); }
    }, function () {
      waiting = sure;
      if (!adoptNext() && !hasPending()) { say("已保存 第" + state.version + "版", "ok"); }
    });
  }

  // -- status line -------------------------------------------------------------------------------------
  function say(text, kind) {
    if (!statusEl) { return; }
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " " + kind : "");
  }

  // -- inputs ------------------------------------------------------------------------------------------
  function inputs() { return form.querySelectorAll("input[name], textarea[name]"); }
  function byName(name) {
    var found = null;
    inputs().forEach(function (el) { if (el.name === name) { found = el; } });
    return found;
  }
  function onEdit(event) {
    var el = event.target;
    if (!el || !el.name || el.readOnly || stopped) { return; }
    if (!pending.values || !hasPending()) { pending.base = state.version; pending.since = Date.now(); }
    pending.values[el.name] = el.value;
    if (refusedFields[el.name]) { // typed again: sent again, and the refusal is said no more once every such field was
      delete refusedFields[el.name];
      if (!Object.keys(refusedFields).length) { refusal = null; }
    }
    var kept = storePending();
    say(kept ? "有改动，正在保存…" : "有改动，正在保存…（本机无法暂存）", "busy");
    schedule(DEBOUNCE);
  }
  function schedule(ms) {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(flush, ms);
  }

  // -- saving ------------------------------------------------------------------------------------------
  function flush() {
    timer = null;
    if (inflight || stopped || !hasPending()) { return; }
    inflight = true;
    var sent = {};
    Object.keys(pending.values).forEach(function (k) { sent[k] = pending.values[k]; });
    var base = pending.base;
    say("正在保存…", "busy");
    fetch(state.base + "/save", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify({ base: base, values: sent })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      inflight = false;
      if (answer.status === 200) { acknowledged(sent, answer.body); return; }
      if (answer.status === 409 && answer.body.current) { conflict(answer.body); return; }
      if (answer.status === 423) { stopped = true; say(answer.body.message || "报告已提交，不能修改", "error"); lockInputs(); return; }
      if (answer.status === 401 || answer.status === 403) {
        stopped = true;
        say((answer.body.message || "登录已过期") + (state.base === "/report" ?
          "（改动已存在本机：重新打开本单位的链接后会自动保存）" : "（改动已存在本机：管理员重新登录后打开本页会自动保存）"), "error");
        return;
      }
      if (answer.status === 400) { refused(sent, answer.body); return; }
      if (answer.body && answer.body.message && (answer.status === 409 || answer.status >= 500)) {
        // The server answered, in its own words (a full disk, the database busy, the page behind the
        // database): said as it is, never as 未连接.  A 503 may pass: tried again later; a 409 that is
        // no conflict needs the clerk (reload): nothing is sent until then.
        if (answer.status === 409) { stopped = true; say(answer.body.message + "（改动已存在本机）", "error"); return; }
        later(answer.body.message + "（改动已存在本机，稍后自动重试）");
        return;
      }
      offline();
    }).catch(function () {
      inflight = false;
      offline();
    });
  }
  function offline() { later("未连接，改动已存在本机；恢复连接后会自动保存"); }
  function later(text) {
    say(text, "error");
    schedule(retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }
  // A 400: what was sent can never be saved as it is (a NUL, a broken character pasted in). The value
  // the server names is no longer sent — the clerk sees why, under the status line and on the field —
  // and the others go on; typing in that field again sends it again.
  function refused(sent, body) {
    var fields = (body && body.fields) || [];
    refusal = "这次改动没有保存：" + ((body && body.message) || "内容有误");
    say(refusal, "error");
    if (!fields.length) { stopped = true; return; }
    fields.forEach(function (name) {
      if (pending.values[name] === sent[name]) { delete pending.values[name]; }
      refusedFields[name] = true;
    });
    storePending();
    if (hasPending()) { schedule(DEBOUNCE); }
  }
  function acknowledged(sent, body) {
    retryDelay = 2000;
    state.version = body.version;
    Object.keys(sent).forEach(function (k) {
      if (pending.values[k] === sent[k]) { delete pending.values[k]; }
    });
    pending.base = body.version;
    storePending();
    if (body.computed) { showComputed(body.computed); }
    if (body.findings) { showFindings(body.findings); }
    if (hasPending()) { say("正在保存…", "busy"); schedule(50); }
    else if (!adoptNext()) {
      if (refusal) { say("已保存 第" + body.version + "版；" + refusal, "error"); } else { say("已保存 第" + body.version + "版", "ok"); }
    }
  }

  // -- conflict ----------------------------------------------------------------------------------------
  function conflict(body) {
    stopped = true;
    var box = document.getElementById("conflict");
    var cur = body.current;
    say("没有保存：别人已经修改了这份报告（改动已存在本机）", "error");
    if (!box) { window.alert(body.message); return; }
    var who = cur.author === "admin" ? "县（区）管理员" : cur.author;
    var when = cur.created_at ? new Date(cur.created_at).toLocaleString("zh-CN") : "";
    document.getElementById("conflict-text").textContent =
      "这份报告在您打开之后已被" + who + "于" + when + "保存为第" + cur.number + "版，您的改动没有保存。对方改了：";
    var list = document.getElementById("conflict-changes");
    list.textContent = "";
    (cur.summary && cur.summary.length ? cur.summary : ["（没有记录改动内容）"]).forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      list.appendChild(li);
    });
    box.hidden = false;
    var rebase = document.getElementById("conflict-rebase");
    rebase.focus();
    rebase.onclick = null;
    rebase.addEventListener("click", function () {
      pending.base = cur.number; // my changes, put on top of the newest version when the page loads
      storePending();
      window.location.reload();
    });
    document.getElementById("conflict-discard").addEventListener("click", function () {
      pending = { base: cur.number, values: {}, since: 0 };
      storePending();
      window.location.reload();
    });
  }
  function lockInputs() { inputs().forEach(function (el) { el.readOnly = true; }); }

  // -- computed totals ---------------------------------------------------------------------------------
  function showComputed(computed) {
    form.querySelectorAll("output[name]").forEach(function (out) {
      if (Object.prototype.hasOwnProperty.call(computed, out.getAttribute("name"))) {
        out.textContent = computed[out.getAttribute("name")];
      }
    });
  }

  // -- findings ----------------------------------------------------------------------------------------
  function cssPlace(path) { return '[data-place="' + path.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"]'; }
  function elementFor(path) {
    return form.querySelector("input" + cssPlace(path) + ", textarea" + cssPlace(path) + ", output" + cssPlace(path) + ", span" + cssPlace(path));
  }
  function boxFor(path) {
    var probe = path;
    while (probe) {
      var box = form.querySelector('[data-finds-for="' + probe.replace(/"/g, '\\"') + '"]');
      if (box) { return box; }
      var cut = probe.lastIndexOf(".");
      probe = cut > 0 ? probe.slice(0, cut) : "";
    }
    return null;
  }
  function targetFor(path) {
    var probe = path;
    while (probe) {
      var el = elementFor(probe);
      if (el) { return el; }
      var section = form.querySelector("section" + cssPlace(probe) + ", .field" + cssPlace(probe));
      if (section) { return section; }
      var cut = probe.lastIndexOf(".");
      probe = cut > 0 ? probe.slice(0, cut) : "";
    }
    return null;
  }
  // A table cell's findings go in a row of their own right under the cell's row (the cells of earlier
  // rows that span past it are stretched by one row, so the grid stays as it was).
  function cellRow(tr) {
    var next = tr.nextElementSibling;
    if (next && next.classList.contains("finds-row")) { return next.firstElementChild; }
    var table = tr.closest("table");
    var rows = Array.prototype.slice.call(table.rows);
    var r = rows.indexOf(tr);
    var width = 0;
    Array.prototype.forEach.call(rows[0].cells, function (c) { width += c.colSpan; });
    var taken = 0;
    rows.slice(0, r + 1).forEach(function (row, k) {
      Array.prototype.forEach.call(row.cells, function (c) {
        if (k + c.rowSpan - 1 >= r + 1) {
          if (!c.hasAttribute("data-rowspan")) { c.setAttribute("data-rowspan", String(c.rowSpan)); }
          c.rowSpan += 1;
          taken += c.colSpan;
        }
      });
    });
    var added = document.createElement("tr");
    added.className = "finds-row";
    var td = document.createElement("td");
    td.colSpan = Math.max(1, width - taken);
    added.appendChild(td);
    tr.parentNode.insertBefore(added, tr.nextSibling);
    return td;
  }
  function describe(el, id) {
    if (!el.hasAttribute("data-describedby")) { el.setAttribute("data-describedby", el.getAttribute("aria-describedby") || ""); }
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    ids.push(id);
    el.setAttribute("aria-describedby", ids.join(" "));
  }
  function clearFindings() {
    form.querySelectorAll(".finds").forEach(function (box) { box.textContent = ""; });
    form.querySelectorAll("tr.finds-row").forEach(function (tr) { tr.parentNode.removeChild(tr); });
    form.querySelectorAll("[data-rowspan]").forEach(function (c) {
      c.rowSpan = Number(c.getAttribute("data-rowspan"));
      c.removeAttribute("data-rowspan");
    });
    form.querySelectorAll("[data-describedby]").forEach(function (el) {
      var was = el.getAttribute("data-describedby");
      if (was) { el.setAttribute("aria-describedby", was); } else { el.removeAttribute("aria-describedby"); }
      el.removeAttribute("data-describedby");
    });
    form.querySelectorAll(".has-error, .has-warning").forEach(function (el) {
      el.classList.remove("has-error", "has-warning");
      el.removeAttribute("aria-invalid");
      if (el.dataset.title !== undefined) { el.title = el.dataset.title; }
    });
  }
  function showFindings(findings) {
    clearFindings();
    var list = document.getElementById("findings");
    var errors = 0;
    var warnings = 0;
    if (list) { list.textContent = ""; }
    findings.forEach(function (f, n) {
      if (f.level === "error") { errors += 1; } else { warnings += 1; }
      var target = f.path ? targetFor(f.path) : null;
      var box = f.path ? boxFor(f.path) : null;
      var id = "finding-" + n;
      if (box) {
        var p = document.createElement("p");
        p.className = "find " + f.level;
        p.id = id;
        p.textContent = f.text;
        box.appendChild(p);
      }
      if (target && /^(INPUT|TEXTAREA|OUTPUT|SPAN)$/.test(target.tagName)) {
        target.classList.add(f.level === "error" ? "has-error" : "has-warning");
        if (f.level === "error") { target.setAttribute("aria-invalid", "true"); }
        if (target.dataset.title === undefined) { target.dataset.title = target.title || ""; }
        target.title = (target.title && target.title !== target.dataset.title ? target.title + "\n" : "") + f.text;
        var cell = target.closest("td");
        if (cell) {
          cell.classList.add(f.level === "error" ? "has-error" : "has-warning");
          var here = document.createElement("p");
          here.className = "find " + f.level;
          here.id = id + "-cell";
          here.textContent = f.text;
          cellRow(cell.parentNode).appendChild(here);
          describe(target, here.id);
        } else if (box && box.getAttribute("data-finds-for") === target.getAttribute("data-place")) {
          describe(target, id); // the field's own box, right under it
        }
      }
      if (list) {
        var li = document.createElement("li");
        li.className = f.level;
        if (target) {
          var a = document.createElement("a");
          a.href = "#" + (target.id || "");
          a.textContent = f.text;
          a.addEventListener("click", function (event) {
            event.preventDefault();
            target.scrollIntoView({ block: "center" });
            if (typeof target.focus === "function") { target.focus({ preventScroll: true }); }
          });
          li.appendChild(a);
        } else {
          li.textContent = f.text;
        }
        list.appendChild(li);
      }
    });
    if (list && !findings.length) {
      var ok = document.createElement("li");
      ok.className = "ok";
      ok.textContent = "没有发现问题。";
      list.appendChild(ok);
    }
    var ne = document.getElementById("n-errors");
    var nw = document.getElementById("n-warnings");
    if (ne) { ne.textContent = String(errors); }
    if (nw) { nw.textContent = String(warnings); }
    var pe = document.getElementById("p-errors");
    var pw = document.getElementById("p-warnings");
    if (pe) { pe.textContent = String(errors); }
    if (pw) { pw.textContent = String(warnings); }
    var submit = document.getElementById("submit-button");
    if (submit) { submit.disabled = errors > 0; }
    var why = document.getElementById("submit-why");
    if (why) { why.hidden = errors === 0; }
  }

  // -- the importer's notes on what it could not read (a row's note shown with its table) ---------------
  function showNotes(notes) {
    Object.keys(notes || {}).forEach(function (path) {
      if (form.querySelector('[data-note-for="' + path.replace(/"/g, '\\"') + '"]')) { return; }
      var own = elementFor(path);
      if (own && (own.hasAttribute("data-describedby") ? own.getAttribute("data-describedby") : own.getAttribute("aria-describedby"))) {
        return; // shown under its field already
      }
      var box = boxFor(path);
      if (!box) { return; }
      var p = document.createElement("p");
      p.className = "note";
      p.setAttribute("data-note-for", path);
      p.textContent = path + "：" + notes[path];
      box.parentNode.insertBefore(p, box);
      form.querySelectorAll("input[data-place]").forEach(function (el) {
        if (el.getAttribute("data-place").indexOf(path + ".") === 0) {
          var cell = el.closest("td");
          if (cell) { cell.classList.add("has-note"); }
        }
      });
    });
  }

  // -- comments from the county next to their cell ------------------------------------------------------
  function showComments(comments) {
    (comments || []).forEach(function (c) {
      if (!c.where) { return; }
      if (form.querySelector('[data-comment-for="' + c.where.replace(/"/g, '\\"') + '"]')) { return; }
      var target = targetFor(c.where);
      var box = boxFor(c.where);
      if (!box) { return; }
      var p = document.createElement("p");
      p.className = "comment";
      p.textContent = "县（区）意见（" + c.where + "）：" + c.text;
      box.parentNode.insertBefore(p, box.nextSibling);
      if (target && target.closest) {
        var cell = target.closest("td");
        if (cell) { cell.classList.add("has-comment"); }
      }
    });
  }

  // -- the findings list: folded above the form on a narrow screen, opened from the counts --------------------
  function setUpPanel() {
    var panel = document.getElementById("panel");
    if (!panel) { return; }
    if (window.matchMedia && window.matchMedia("(max-width: 1000px)").matches) { panel.open = false; }
    var counts = document.getElementById("counts");
    if (counts) { counts.addEventListener("click", function () { panel.open = true; }); }
  }

  // -- which cell the focus is in, named in the status line (a phone scrolls the row labels out of sight) ----
  function followFocus() {
    var where = document.getElementById("where");
    if (!where) { return; }
    form.addEventListener("focusin", function (event) {
      var el = event.target;
      var named = el && el.closest && el.closest("table") && (el.getAttribute("data-label") || el.getAttribute("data-place"));
      where.textContent = named ? "当前：" + named : "";  // the cell as messages name it: 表三 一、本年新收 · 自然人
    });
    form.addEventListener("focusout", function () { where.textContent = ""; });
  }

  // -- a figure cell's content selected when the cell is entered ------------------------------------------------
  // A blank report shows 0 in every cell: a click put the caret before or after it, and typing 5 made
  // "50" or "05" — a wrong figure the clerk did not see.  Entering a figure cell (by Tab or click)
  // selects what it holds, so that typing replaces it, as in a spreadsheet.
  function selectOnEntry() {
    var entered = null;
    form.addEventListener("focusin", function (event) {
      var el = event.target;
      if (el && el.tagName === "INPUT" && el.getAttribute("inputmode") === "decimal" && !el.readOnly) {
        entered = el;
        el.select();
      }
    });
    form.addEventListener("mouseup", function (event) {
      if (entered !== null && event.target === entered) {
        event.preventDefault(); // the click that entered the cell keeps the selection
        entered = null;
      }
    });
    form.addEventListener("keydown", function () { entered = null; });
  }

  // -- what a form just did is said once: a reload of the page does not say it again --------------------------
  function forgetOutcome() {
    if (/[?&]done=/.test(window.location.search) && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.hash);
    }
  }

  // -- start -------------------------------------------------------------------------------------------
  if (locks) { // held while this page lives: another tab knows this tab's kept set is not left behind
    try { locks.request(LOCK, function () { return new Promise(function () {}); }).catch(function () {}); } catch (e) { locks = null; }
  }
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);
  if (state.locked) { lockInputs(); }
  if (state.form) { showNotes(state.form.notes); }
  if (state.form && state.form.findings) { showFindings(state.form.findings); }
  showComments(state.comments);
  setUpPanel();
  followFocus();
  selectOnEntry();
  forgetOutcome();
  // The page as sent says "第N版已保存"; only now, kept sets looked at, does it say "已保存 第N版" (or
  // that it re-sends one): a reader waiting for "已保存" never sees it before this tab had its say.
  say("已保存 第" + state.version + "版", "ok");
  offerLeftSets();
  window.setInterval(function () { if (hasPending()) { storePending(); } }, HEARTBEAT);
  window.addEventListener("online", function () { if (hasPending()) { schedule(10); } });
  window.addEventListener("beforeunload", function (event) {
    if (hasPending() && !storePending()) { event.preventDefault(); event.returnValue = ""; }
  });
  window.addEventListener("pagehide", function () { if (hasPending()) { storePending(false); } });
  window.addEventListener("pageshow", function (event) { if (event.persisted && hasPending()) { storePending(); } });
})();
