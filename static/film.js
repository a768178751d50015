// Polls a film's progress until it is done, failed or cancelled; then shows the video.
(function () {
  const section = document.getElementById("film");
  if (!section) return;
  const bar = section.querySelector(".bar");
  const pending = ["queued", "running"];

  function field(name, text) {
    const cell = section.querySelector(`[data-field="${name}"]`);
    if (cell) cell.textContent = text;
    return cell;
  }

  function show(status) {
    for (const name of ["status", "frames_done", "frames_total", "rendered", "cached"]) {
      field(name, status[name]);
    }
    field("position", status.position === null ? "–" : status.position);
    const left = status.seconds_left;
    field("time_left", left === null ? "–" : Math.round(left) + " s");
    field("error", status.error).hidden = !status.error;
    const percent = Math.round(status.fraction * 100);
    bar.style.width = percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", percent);
    if (status.video) {
      const video = section.querySelector("video");
      if (status.poster) video.poster = status.poster;
      if (!video.querySelector("source")) {
        const source = document.createElement("source");
        source.src = status.video;
        source.type = "video/mp4";
        video.appendChild(source);
        video.load();
      }
      document.getElementById("download").href = status.video;
      document.getElementById("result").hidden = false;
    }
    return !pending.includes(status.status);
  }

  async function poll() {
    try {
      const response = await fetch(section.dataset.statusUrl, { cache: "no-store" });
      if (response.ok && show(await response.json())) return;
    } catch (error) { /* the server may be restarting: keep polling */ }
    setTimeout(poll, 1000);
  }
  if (pending.includes(section.dataset.status)) poll();
})();
