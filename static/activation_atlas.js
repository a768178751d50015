// The activation atlas: the map zooms (wheel, + and −, the buttons) and pans (drag, the
// arrow keys); a cell is a link to its frames and channels below. While an atlas is being
// computed, its status is polled and the page reloads when it is done.
(function () {
  const MAX_ZOOM = 16, STEP = 1.25, PAN = 0.1, DRAG = 4;

  const progress = document.getElementById("atlas-progress");
  if (progress) poll(progress);
  const map = document.getElementById("atlas-map");
  if (map) viewer(map, document.getElementById("atlas-canvas"));

  function poll(section) {
    const bar = section.querySelector(".bar");
    const meter = document.getElementById("atlas-progress-bar");
    const label = document.getElementById("atlas-progress-label");
    async function tick() {
      try {
        const response = await fetch(section.dataset.statusUrl, { cache: "no-store" });
        const status = await response.json();
        if (status.status === "done") { window.location.assign(status.url); return; }
        if (status.status === "failed") {
          label.textContent = "failed: " + status.error;
          label.className = "error";
          return;
        }
        const percent = Math.round(status.progress * 100);
        bar.style.width = percent + "%";
        meter.setAttribute("aria-valuenow", percent);
        const waiting = status.position ? " · position " + status.position + " in the queue" : "";
        label.textContent = (status.stage || status.status) + " · " + percent + "%" + waiting;
      } catch (error) { /* a missed poll: try again */ }
      setTimeout(tick, 1000);
    }
    tick();
  }

  function viewer(map, canvas) {
    let scale = 1, x = 0, y = 0, drag = null, dragged = false;
    const zoomLabel = document.getElementById("atlas-zoom");
    const tools = document.querySelector(".atlas-tools");
    tools.hidden = false;

    function clamp() {
      const side = map.clientWidth;
      x = Math.min(0, Math.max(side - side * scale, x));
      y = Math.min(0, Math.max(side - side * scale, y));
    }
    function draw() {
      clamp();
      canvas.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
      map.dataset.zoom = scale.toFixed(3);
      map.dataset.pan = `${Math.round(x)},${Math.round(y)}`;
      zoomLabel.textContent = Math.round(scale * 100) + "%";
    }
    function zoomAt(factor, px, py) {
      const next = Math.min(MAX_ZOOM, Math.max(1, scale * factor));
      x = px - (px - x) * (next / scale);
      y = py - (py - y) * (next / scale);
      scale = next;
      draw();
    }
    function zoomCentre(factor) { zoomAt(factor, map.clientWidth / 2, map.clientHeight / 2); }
    function pan(dx, dy) { x += dx; y += dy; draw(); }
    function reset() { scale = 1; x = 0; y = 0; draw(); }

    tools.addEventListener("click", (event) => {
      const button = event.target.closest("[data-zoom]");
      if (!button) return;
      const action = button.dataset.zoom;
      if (action === "in") zoomCentre(STEP);
      else if (action === "out") zoomCentre(1 / STEP);
      else reset();
    });
    map.addEventListener("wheel", (event) => {
      event.preventDefault();
      const box = map.getBoundingClientRect();
      zoomAt(Math.exp(-event.deltaY * 0.002), event.clientX - box.left, event.clientY - box.top);
    }, { passive: false });
    map.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const step = map.clientWidth * PAN;
      const actions = {
        "+": () => zoomCentre(STEP), "=": () => zoomCentre(STEP),
        "-": () => zoomCentre(1 / STEP), "_": () => zoomCentre(1 / STEP), "0": reset,
        ArrowLeft: () => pan(step, 0), ArrowRight: () => pan(-step, 0),
        ArrowUp: () => pan(0, step), ArrowDown: () => pan(0, -step),
      };
      if (!actions[event.key]) return;
      event.preventDefault();
      actions[event.key]();
    });
    // A drag pans; only a press that did not move is a click on a cell.
    map.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { id: event.pointerId, startX: event.clientX, startY: event.clientY, x, y };
      dragged = false;
    });
    map.addEventListener("pointermove", (event) => {
      if (!drag || event.pointerId !== drag.id) return;
      const dx = event.clientX - drag.startX, dy = event.clientY - drag.startY;
      if (!dragged && Math.hypot(dx, dy) < DRAG) return;
      if (!dragged) { dragged = true; map.setPointerCapture(drag.id); map.classList.add("dragging"); }
      x = drag.x + dx; y = drag.y + dy;
      draw();
    });
    function release() { drag = null; map.classList.remove("dragging"); }
    map.addEventListener("pointerup", release);
    map.addEventListener("pointercancel", release);
    map.addEventListener("click", (event) => {
      if (dragged) { event.preventDefault(); event.stopPropagation(); dragged = false; }
    }, true);
    // A cell reached with Tab comes into view.
    map.addEventListener("focusin", (event) => {
      const cell = event.target.closest(".atlas-cell");
      if (!cell || scale === 1) return;
      const side = map.clientWidth, grid = Number(canvas.dataset.grid);
      const [cx, cy] = cell.dataset.cell.split("-").map(Number);
      const size = side * scale / grid;
      x = side / 2 - (cx + 0.5) * size;
      y = side / 2 - (cy + 0.5) * size;
      draw();
      map.scrollLeft = 0; map.scrollTop = 0;
    });
    function select() {
      for (const cell of map.querySelectorAll(".atlas-cell.selected")) cell.classList.remove("selected");
      const match = /^#cell-(\d+-\d+)$/.exec(window.location.hash);
      if (match) map.querySelector(`[data-cell="${match[1]}"]`)?.classList.add("selected");
    }
    window.addEventListener("hashchange", select);
    window.addEventListener("resize", draw);
    select();
    draw();
  }
})();
