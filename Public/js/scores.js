// Lodestar score entry: type a level, Enter saves and moves down; arrows move between cells.
// Each cell saves on change with the session's CSRF token; the status line says what happened.
(function () {
  "use strict";
  const grid = document.getElementById("score-grid");
  if (!grid) return;
  const status = document.getElementById("grid-status");
  const assessment = grid.dataset.assessment;
  const csrf = grid.dataset.csrf;
  const inputs = () => [...grid.querySelectorAll("input.score")];
  const columns = grid.querySelectorAll("thead th").length - 1;

  function say(text, kind) {
    status.textContent = text;
    status.className = "sync-status " + (kind || "done");
  }

  // A refused score is marked in its cell, says why (in the cell's title and the status line) and is never shown
  // as saved; refused on Enter, the cell keeps the focus (leaving it by Tab or a click is never blocked).
  function refuse(input, message, keepFocus) {
    input.classList.remove("saved");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "grid-status");
    input.title = message;
    say(message, "waiting");
    if (keepFocus) { input.focus(); input.select(); }
    return false;
  }

  function accepted(input) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    input.title = "";
  }

  // True when the cell holds what is saved.
  async function save(input, keepFocus) {
    if (input.readOnly) return true;
    if (input.value === input.dataset.saved) { accepted(input); return true; }
    const text = input.value.trim();
    const value = text === "" ? null : Number(text);
    if (text !== "" && Number.isNaN(value)) return refuse(input, "Not saved: “" + text + "” is not a number.", keepFocus);
    input.classList.remove("saved");
    input.classList.add("saving");
    try {
      const response = await fetch(`/api/assessments/${assessment}/scores`, {
        method: "PUT", credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ studentId: input.dataset.student, standardId: input.dataset.standard, value }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) return refuse(input, "Not saved: " + (body.error || "the server refused the score") + ".", keepFocus);
      accepted(input);
      input.dataset.saved = input.value;
      input.classList.add("saved");
      say(value === null ? "Score cleared." : "Saved " + text + (body.level ? " (" + body.level + ")" : "") + ".");
      return true;
    } catch (offline) {
      say("Not saved: no connection. Your entry stays in the cell; it saves when you change it again online.", "waiting");
      return false;
    } finally {
      input.classList.remove("saving");
    }
  }

  function move(input, rows, cols) {
    const all = inputs();
    const index = all.indexOf(input);
    const target = all[index + rows * columns + cols];
    if (target) { target.focus(); target.select(); }
  }

  for (const input of inputs()) {
    input.dataset.saved = input.value;
    input.addEventListener("change", () => save(input));
    // A cell being typed in is not saved yet.
    input.addEventListener("input", () => input.classList.remove("saved"));
    input.addEventListener("keydown", async (event) => {
      switch (event.key) {
        case "Enter":
          event.preventDefault();
          if (await save(input, true)) move(input, event.shiftKey ? -1 : 1, 0);
          break;
        case "ArrowDown": event.preventDefault(); move(input, 1, 0); break;
        case "ArrowUp": event.preventDefault(); move(input, -1, 0); break;
        case "ArrowRight": if (input.selectionStart === input.value.length) { event.preventDefault(); move(input, 0, 1); } break;
        case "ArrowLeft": if (input.selectionStart === 0) { event.preventDefault(); move(input, 0, -1); } break;
      }
    });
    input.addEventListener("blur", () => save(input));
  }
})();
