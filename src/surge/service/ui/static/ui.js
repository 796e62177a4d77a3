// Surge pages: draw the Plotly charts, poll running jobs, load fragments. No build step.
"use strict";

function plotConfig() {
  return JSON.parse(document.body.dataset.plotConfig || "{}");
}

function drawCharts() {
  const config = plotConfig();
  document.querySelectorAll("[data-figure]").forEach((div) => {
    const source = document.getElementById(div.dataset.figure);
    if (!source || !window.Plotly) return;
    const fig = JSON.parse(source.textContent);
    window.Plotly.newPlot(div, fig.data, fig.layout, config);
  });
}

function pollJobs() {
  document.querySelectorAll("[data-poll]").forEach((box) => {
    const bar = box.querySelector(".bar > div");
    const state = box.querySelector(".state");
    const step = box.querySelector(".step");
    const tick = async () => {
      let job;
      try {
        const r = await fetch(box.dataset.poll, {credentials: "same-origin"});
        if (r.status === 401) { window.location.reload(); return; }
        job = await r.json();
      } catch (e) {
        setTimeout(tick, 3000);
        return;
      }
      bar.style.width = Math.round(100 * (job.progress || 0)) + "%";
      state.textContent = job.status;
      step.textContent = job.message || "";
      if (job.status === "done" || job.status === "failed") {
        window.location.reload();
      } else {
        setTimeout(tick, 1000);
      }
    };
    setTimeout(tick, 500);
  });
}

function loadFragments() {
  document.querySelectorAll("[data-fragment]").forEach(async (box) => {
    try {
      const r = await fetch(box.dataset.fragment, {credentials: "same-origin"});
      box.innerHTML = r.ok ? await r.text()
        : "<p class='muted'>Could not explain this plan (" + r.status + ").</p>";
    } catch (e) {
      box.innerHTML = "<p class='muted'>Could not explain this plan.</p>";
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  drawCharts();
  pollJobs();
  loadFragments();
});
