"use strict";
// RetroVue console: small enhancements over plain forms. Every page works without this file.

function onReady(fn) {
  if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
}

// Live: refresh the channels table every few seconds.
function liveRefresh() {
  const box = document.getElementById("live-table");
  if (!box || !box.dataset.refresh) return;
  setInterval(async () => {
    try {
      const answer = await fetch(box.dataset.refresh, { credentials: "same-origin" });
      if (answer.ok) box.innerHTML = await answer.text();
    } catch (error) { /* the next round tries again */ }
  }, 5000);
}

// Library: follow a running sync, then show its summary.
function syncProgress() {
  const box = document.getElementById("sync");
  if (!box || !box.dataset.sync) return;
  const bar = box.querySelector(".progress");
  const phase = document.getElementById("sync-phase");
  const timer = setInterval(async () => {
    let job;
    try {
      const answer = await fetch(box.dataset.sync, { credentials: "same-origin" });
      if (!answer.ok) return;
      job = await answer.json();
    } catch (error) { return; }
    if (bar) { bar.firstElementChild.style.width = job.percent + "%"; bar.setAttribute("aria-valuenow", job.percent); }
    if (job.done) { clearInterval(timer); window.location.reload(); return; }
    if (phase) {
      const c = job.counts || {};
      phase.textContent = `${job.phase}: ${c.probed || 0} of ${c.to_probe || 0} probed, ${c.seen || 0} seen`;
    }
  }, 700);
}

// Templates: the rule JSON as the server will read it, and block edges dragged on the strip.
function ruleJson() {
  const form = document.querySelector("form[data-rule-form]");
  const out = document.getElementById("rule-json");
  if (!form || !out) return;
  const keys = form.dataset.ruleForm.split(",");
  const compose = () => {
    const rule = {};
    for (const key of keys) {
      const input = form.elements.namedItem(key);
      if (!input) continue;
      const text = input.value.trim();
      const kind = input.dataset.rule;
      if (kind === "tags") rule[key] = [...new Set(text.split(",").map(t => t.trim().toLowerCase()).filter(Boolean))];
      else if (kind === "names") rule[key] = [...new Set(text.split(",").map(t => t.trim()).filter(Boolean))];
      else if (!text) continue;
      else if (kind === "number" || kind === "int") rule[key] = Number(text);
      else rule[key] = text;
    }
    out.textContent = JSON.stringify(rule, null, 2);
  };
  form.addEventListener("input", compose);
  form.addEventListener("change", compose);
}

function clockOf(minutes) {
  const m = ((minutes % 1440) + 1440) % 1440;
  return String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
}

function stripHandles() {
  const strip = document.getElementById("strip");
  const form = document.getElementById("block-form");
  if (!strip || !form) return;
  strip.querySelectorAll(".handle").forEach(handle => {
    handle.addEventListener("pointerdown", event => {
      event.preventDefault();
      const field = form.elements.namedItem(handle.dataset.edge);
      const block = handle.parentElement;
      handle.setPointerCapture(event.pointerId);
      const move = e => {
        const box = strip.getBoundingClientRect();
        const minutes = Math.round(((e.clientX - box.left) / box.width) * 1440 / 15) * 15;
        field.value = clockOf(Math.max(0, Math.min(1440, minutes)));
        const start = handle.dataset.edge === "start" ? minutes : null;
        if (start !== null) block.style.left = (100 * Math.max(0, minutes) / 1440) + "%";
      };
      const up = () => {
        handle.removeEventListener("pointermove", move);
        handle.removeEventListener("pointerup", up);
        form.requestSubmit();
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", up);
    });
    handle.addEventListener("click", e => e.preventDefault());
  });
}

// Schedule: select days (click, shift-click), drop a template on them to assign it.
function calendarDrops() {
  const grid = document.getElementById("calendar");
  const form = document.getElementById("assign-form");
  if (!grid || !form) return;
  const from = form.elements.namedItem("from");
  const until = form.elements.namedItem("until");
  const paint = () => grid.querySelectorAll(".day[data-day]").forEach(d => {
    d.classList.toggle("selected", d.dataset.day >= from.value && d.dataset.day <= until.value);
  });
  grid.addEventListener("click", event => {
    const day = event.target.closest(".day[data-day]");
    if (!day || event.target.closest("a")) return;
    if (event.shiftKey && from.value) {
      if (day.dataset.day < from.value) from.value = day.dataset.day; else until.value = day.dataset.day;
    } else { from.value = day.dataset.day; until.value = day.dataset.day; }
    paint();
  });
  document.querySelectorAll(".palette .chip").forEach(chip => {
    chip.addEventListener("dragstart", e => e.dataTransfer.setData("text/plain", chip.dataset.template));
  });
  grid.addEventListener("dragover", e => {
    const day = e.target.closest(".day[data-day]");
    if (day) { e.preventDefault(); day.classList.add("drop"); }
  });
  grid.addEventListener("dragleave", e => {
    const day = e.target.closest(".day[data-day]");
    if (day) day.classList.remove("drop");
  });
  grid.addEventListener("drop", e => {
    const day = e.target.closest(".day[data-day]");
    if (!day) return;
    e.preventDefault();
    const inRange = day.dataset.day >= from.value && day.dataset.day <= until.value && from.value !== until.value;
    if (!inRange) { from.value = day.dataset.day; until.value = day.dataset.day; }
    form.elements.namedItem("template").value = e.dataTransfer.getData("text/plain");
    form.requestSubmit();
  });
  paint();
}

onReady(() => { liveRefresh(); syncProgress(); ruleJson(); stripHandles(); calendarDrops(); });
