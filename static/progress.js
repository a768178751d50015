// Polls the still's status until it is done, then shows the image without a reload.
(function () {
  const section = document.getElementById("still");
  if (!section) return;
  const bar = section.querySelector(".bar");
  const label = document.getElementById("progress-label");
  const progress = document.getElementById("progress");

  function show(status) {
    if (status.status === "done" && status.image) {
      section.replaceChildren(stillImage(status.image));
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

  // The still as the page draws it: a whole multiple of its size (square pixels), a link
  // to enlarge it and one to download it.
  function stillImage(url) {
    const link = document.createElement("a");
    link.className = "enlarge";
    link.id = "enlarge";
    link.href = url;
    const image = document.createElement("img");
    image.id = "still-image";
    image.src = url;
    image.alt = "feature visualization of " + document.querySelector("h1").textContent;
    if (!section.classList.contains("set")) {
      image.className = "sharp";
      image.addEventListener("load", () => {
        const width = image.naturalWidth * Math.max(1, Math.floor(512 / image.naturalWidth));
        image.style.width = width + "px";
      });
    }
    link.appendChild(image);
    const actions = document.createElement("p");
    actions.className = "still-actions";
    const download = document.createElement("a");
    download.id = "download";
    download.href = section.dataset.statusUrl.replace(/status\.json$/, "download.png");
    download.download = section.dataset.download || "still.png";
    download.textContent = "Download PNG";
    actions.appendChild(download);
    const fragment = document.createDocumentFragment();
    fragment.append(link, actions);
    return fragment;
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
