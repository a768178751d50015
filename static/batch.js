// Polls a batch render's counts until it is finished or cancelled.
(function () {
  const section = document.getElementById("batch");
  if (!section) return;
  const bar = section.querySelector(".bar");

  function show(status) {
    for (const [name, value] of Object.entries(status)) {
      const cell = section.querySelector(`[data-count="${name}"]`);
      if (cell) cell.textContent = value;
    }
    const left = status.seconds_left;
    section.querySelector('[data-count="time_left"]').textContent =
      left === null ? "estimating…" : Math.round(left) + " s";
    const percent = Math.round(status.fraction * 100);
    bar.style.width = percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", percent);
    const rows = document.getElementById("layer-rows");
    rows.replaceChildren(...status.layers.map((row) => {
      const tr = document.createElement("tr");
      for (const text of [row.layer, row.done + " / " + row.total]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      return tr;
    }));
    const running = status.status === "running" || status.status === "preparing";
    document.getElementById("cancel").disabled = !running;
    return !running && status.status !== "cancelling";
  }

  async function poll() {
    try {
      const response = await fetch(section.dataset.statusUrl, { cache: "no-store" });
      if (response.ok && show(await response.json())) return;
    } catch (error) { /* the server may be restarting: keep polling */ }
    setTimeout(poll, 1000);
  }
  poll();
})();
