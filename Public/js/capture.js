// Lodestar walkthrough capture: works online and offline.
// Saved walkthroughs go into an IndexedDB queue with an id made here, then are sent to
// /api/walkthroughs; the server makes one walkthrough per id however often it is sent.
(function () {
  "use strict";

  const root = document.getElementById("capture");
  const csrf = root.dataset.csrf;
  const form = document.getElementById("walkthrough-form");
  const status = document.getElementById("sync-status");
  const queueList = document.getElementById("queue");
  const $ = (id) => document.getElementById(id);
  let data = null;
  let teacher = null;
  let marks = {};      // indicator key -> mark
  let lookFors = {};   // indicator key -> Set of look-for texts
  let notes = [];
  let questionEdited = false;
  let sending = false;

  // ---- IndexedDB queue -------------------------------------------------------------------------
  function openQueue() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("lodestar", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("queue", { keyPath: "id" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function withStore(mode, work) {
    const db = await openQueue();
    return new Promise((resolve, reject) => {
      const tx = db.transaction("queue", mode);
      const result = work(tx.objectStore("queue"));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  }
  const queued = () => withStore("readonly", (store) => store.getAll());
  const enqueue = (item) => withStore("readwrite", (store) => store.put(item));
  const dequeue = (id) => withStore("readwrite", (store) => store.delete(id));

  // ---- Sending ---------------------------------------------------------------------------------
  async function sync() {
    if (sending) return;
    sending = true;
    try {
      for (const item of await queued()) {
        let response;
        try {
          response = await fetch("/api/walkthroughs", {
            method: "POST", credentials: "same-origin", redirect: "manual",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
            body: JSON.stringify(item.submission),
          });
        } catch (offline) {
          break; // no network: keep everything queued
        }
        if (response.ok) {
          await dequeue(item.id);
        } else if (response.type === "opaqueredirect" || response.status === 401) {
          item.problem = "Sign in again to send this walkthrough.";
          await enqueue(item);
          break;
        } else {
          let message = "The server refused this walkthrough.";
          try { message = (await response.json()).error || message; } catch (e) { /* keep the default */ }
          item.problem = message;
          await enqueue(item);
        }
      }
    } finally {
      sending = false;
      await showQueue();
    }
  }

  async function showQueue() {
    const items = await queued();
    queueList.replaceChildren();
    for (const item of items) {
      const li = document.createElement("li");
      li.textContent = item.label + (item.problem ? " — " + item.problem : "");
      if (item.problem) {
        const discard = document.createElement("button");
        discard.type = "button";
        discard.className = "link-button";
        discard.textContent = "Discard";
        discard.addEventListener("click", async () => { await dequeue(item.id); await showQueue(); });
        li.append(" ", discard);
      }
      queueList.append(li);
    }
    status.className = "sync-status " + (items.length ? "waiting" : "done");
    if (items.length) {
      status.replaceChildren(document.createTextNode(
        items.length + (items.length === 1 ? " walkthrough is" : " walkthroughs are") +
        " waiting to sync" + (navigator.onLine ? "." : " — you are offline; they will be sent when the network returns. ")));
      const retry = document.createElement("button");
      retry.type = "button"; retry.className = "link-button"; retry.id = "send-now"; retry.textContent = "Send now";
      retry.addEventListener("click", sync);
      status.append(" ", retry);
    } else {
      status.textContent = navigator.onLine ? "All walkthroughs are sent." : "You are offline. Walkthroughs you save will wait here until the network returns.";
    }
  }

  // ---- The form --------------------------------------------------------------------------------
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function markLabel(mark) {
    return { observed: "Seen", not_observed: "Not seen", not_applicable: "N/A" }[mark] || mark;
  }

  function renderIndicators() {
    const scaleMarks = data.framework.scale.type === "rating"
      ? data.framework.scale.levels.concat(["not_applicable"]) : ["observed", "not_observed", "not_applicable"];
    $("framework-name").textContent = data.framework.name + ". Tap what you saw; open an indicator for its look-fors.";
    const container = $("indicators");
    container.replaceChildren();
    for (const domain of data.framework.domains) {
      const fieldset = document.createElement("fieldset");
      fieldset.className = "domain";
      const legend = document.createElement("legend");
      legend.textContent = domain.name;
      fieldset.append(legend);
      for (const indicator of domain.indicators) {
        const row = document.createElement("div");
        row.className = "indicator";
        const group = document.createElement("div");
        group.className = "marks";
        group.setAttribute("role", "group");
        group.setAttribute("aria-label", indicator.shortName);
        const name = document.createElement("span");
        name.className = "indicator-name";
        name.textContent = indicator.shortName;
        for (const mark of scaleMarks) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "mark";
          button.dataset.indicator = indicator.key;
          button.dataset.mark = mark;
          button.setAttribute("aria-pressed", "false");
          button.textContent = markLabel(mark);
          button.addEventListener("click", () => toggleMark(indicator.key, mark, group));
          group.append(button);
        }
        const details = document.createElement("details");
        const summary = document.createElement("summary");
        summary.textContent = "Look-fors";
        details.append(summary);
        indicator.lookFors.forEach((text, index) => {
          const id = `lf-${indicator.key}-${index}`;
          const wrap = document.createElement("div");
          wrap.className = "check";
          const box = document.createElement("input");
          box.type = "checkbox"; box.id = id;
          box.addEventListener("change", () => {
            lookFors[indicator.key] = lookFors[indicator.key] || new Set();
            if (box.checked) {
              lookFors[indicator.key].add(text);
              if (!marks[indicator.key]) toggleMark(indicator.key, scaleMarks[0], group);
            } else {
              lookFors[indicator.key].delete(text);
            }
          });
          const label = document.createElement("label");
          label.htmlFor = id; label.textContent = text;
          wrap.append(box, label);
          details.append(wrap);
        });
        row.append(name, group, details);
        fieldset.append(row);
      }
      container.append(fieldset);
    }
  }

  function toggleMark(key, mark, group) {
    marks[key] = marks[key] === mark ? undefined : mark;
    if (!marks[key]) delete marks[key];
    for (const button of group.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.mark === marks[key]));
    }
    suggestQuestion();
  }

  // The first question of the first marked indicator that was seen, else of the first marked.
  function suggestQuestion() {
    if (questionEdited) return;
    const scale = data.framework.scale;
    const seen = (mark) => scale.type === "rating" ? scale.levels.indexOf(mark) > 0 : mark === "observed";
    const marked = data.framework.domains.flatMap((d) => d.indicators)
      .filter((i) => marks[i.key] && marks[i.key] !== "not_applicable");
    const pick = marked.find((i) => seen(marks[i.key])) || marked[0];
    $("question").value = pick ? pick.questions[0] : "";
  }

  function chooseTeacher(t) {
    teacher = t;
    $("teacher-search").value = "";
    $("teacher-matches").replaceChildren();
    $("teacher-chosen").textContent = t ? "Visiting " + t.name : "";
    // Look-fors of professional learning the teacher attended lately.
    const followUps = $("teacher-follow-ups");
    followUps.replaceChildren();
    for (const f of (t && t.followUps) || []) {
      const p = document.createElement("p");
      p.textContent = "After “" + f.session + "”, look for: " + f.lookFors.join("; ");
      followUps.append(p);
    }
    const select = $("class");
    select.replaceChildren();
    const none = new Option("No particular class", "");
    select.append(none);
    if (!t) return;
    const now = new Date();
    const minute = now.getHours() * 60 + now.getMinutes();
    const period = data.schedule.periods.find((p) => minute >= p.start - 5 && minute < p.end);
    let suggested = t.classes.find((c) => period && c.periods.includes(period.name)) || t.classes.find((c) => c.allDay);
    for (const c of t.classes) {
      const option = new Option(c.title + (c.allDay ? "" : " (period " + c.periods.join(", ") + ")"), c.id);
      select.append(option);
    }
    select.value = suggested ? suggested.id : "";
  }

  function showMatches() {
    const query = $("teacher-search").value.trim().toLowerCase();
    const list = $("teacher-matches");
    list.replaceChildren();
    if (!query) return;
    const matches = data.teachers.filter((t) => t.name.toLowerCase().split(" ").some((part) => part.startsWith(query)) ||
                                                t.name.toLowerCase().startsWith(query)).slice(0, 6);
    for (const t of matches) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "match";
      button.textContent = t.name;
      button.addEventListener("click", () => chooseTeacher(t));
      li.append(button);
      list.append(li);
    }
    if (!matches.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "No teacher you can visit matches.";
      list.append(li);
    }
  }

  function addNote() {
    const text = $("note-text").value.trim();
    if (!text) return;
    notes.push({ at: Date.now() / 1000, text });
    $("note-text").value = "";
    const li = document.createElement("li");
    const time = document.createElement("time");
    time.textContent = new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    li.append(time, " " + text);
    $("notes").append(li);
  }

  function showError(message) {
    const error = $("form-error");
    error.textContent = message;
    error.hidden = !message;
  }

  function number(id) {
    const value = $(id).value.trim();
    return value === "" ? null : Number(value);
  }

  $("saved-dismiss").addEventListener("click", () => { $("saved-note").hidden = true; });

  async function save(event) {
    event.preventDefault();
    if (!teacher) return showError("Choose the teacher you visited.");
    if (!Object.keys(marks).length) return showError("Mark at least one practice.");
    const onTask = number("on-task"), present = number("present");
    if ((onTask === null) !== (present === null)) return showError("Give both students on task and students present, or neither.");
    if (onTask !== null && onTask > present) return showError("Students on task cannot be more than students present.");
    const share = $("share").checked;
    const glow = $("glow").value.trim(), grow = $("grow").value.trim(), question = $("question").value.trim();
    if (share && !glow && !grow && !question) return showError("Write a glow, a grow or a question to share, or untick “Share with the teacher now”.");
    showError("");
    const submission = {
      id: uuid(), teacherId: teacher.id, classId: $("class").value || null,
      visitType: $("visit-type").value, announced: $("announced").checked,
      observedAt: startedAt / 1000, studentsOnTask: onTask, studentsPresent: present,
      marks: Object.entries(marks).map(([indicator, mark]) => ({ indicator, mark, lookFors: [...(lookFors[indicator] || [])] })),
      notes, glow, grow, question, share,
    };
    const name = teacher.name;
    await enqueue({ id: submission.id, label: name + ", " + new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }), submission });
    resetForm();
    // The confirmation names the teacher and stays until dismissed (the sync line below it changes as it sends).
    const note = $("saved-note");
    note.querySelector("span").textContent = "Saved your walkthrough of " + name + (share ? ", with feedback shared with them." : ", as a draft only you can see.");
    note.hidden = false;
    await sync();
  }

  let startedAt = Date.now();
  function resetForm() {
    form.reset();
    chooseTeacher(null);
    marks = {}; lookFors = {}; notes = []; questionEdited = false;
    $("notes").replaceChildren();
    for (const button of document.querySelectorAll("button.mark")) button.setAttribute("aria-pressed", "false");
    startedAt = Date.now();
    window.scrollTo(0, 0);
  }

  async function start() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js").catch(() => { /* offline capture unavailable; online still works */ });
    }
    try {
      const response = await fetch("/walkthroughs/capture-data", { credentials: "same-origin", redirect: "manual" });
      if (!response.ok) throw new Error("status " + response.status);
      data = await response.json();
    } catch (error) {
      status.textContent = "Lodestar could not load your teachers and framework. Connect once while signed in, then this page works offline.";
      return;
    }
    for (const option of data.visitTypes) $("visit-type").append(new Option(option.label, option.value));
    renderIndicators();
    $("teacher-search").addEventListener("input", showMatches);
    $("add-note").addEventListener("click", addNote);
    $("question").addEventListener("input", () => { questionEdited = true; });
    form.addEventListener("submit", save);
    form.hidden = false;
    window.addEventListener("online", sync);
    window.addEventListener("offline", showQueue);
    setInterval(sync, 15000);
    await showQueue();
    await sync();
  }

  start();
})();
