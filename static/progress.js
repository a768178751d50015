// Polls the still's status until it is done, then shows the image without a reload.
(function () {
  const section = document.getElementById("still");
  if (!section) return;
  const bar = section.querySelector(".bar");
  const label = document.getElementById("progress-label");
  const progress = document.getElementById("progress");

  function show(status) {
    if (status.status === "done" && status.image) {
      const image = document.createElement("img");
      image.id = "still-image";
      image.src = status.image;
      image.alt = "feature visualization";
      section.replaceChildren(image);
      for (const [name, value] of Object.entries(status.display || {})) {
        const cell = document.querySelector(`[data-figure="${name}"]`);
        if (cell) cell.textContent = value;
      }
      const classes = document.getElementById("classes");
      if (classes && status.classes && status.classes.length) {
        classes.replaceChildren(...status.classes.map(([label, share]) => {
          const item = document.createElement("li");
          const muted = document.createElement("span");
          muted.className = "muted";
          muted.textContent = share;
          item.append(label + " ", muted);
          return item;
        }));
      }
      return true;
    }
    if (status.status === "failed") {
      section.innerHTML = "";
      const message = document.createElement("p");
      message.className = "error";
      message.textContent = "This render failed: " + status.error;
      section.appendChild(message);
      return true;
    }
    const percent = Math.round(status.progress * 100);
    bar.style.width = percent + "%";
    progress.setAttribute("aria-valuenow", percent);
    const waiting = status.position ? " · position " + status.position + " in the queue" : "";
    label.textContent = status.status + "… " + percent + "%" + waiting;
    return false;
  }

  async function poll() {
    try {
      const response = await fetch(section.dataset.statusUrl, { cache: "no-store" });
      if (response.ok && show(await response.json())) return;
    } catch (error) { /* the server may be restarting: keep polling */ }
    setTimeout(poll, 700);
  }
  poll();
})();
