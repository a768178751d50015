// Staff's prints on a channel page: poll while one renders, then offer its download.
(function () {
  const section = document.getElementById("print");
  if (!section) return;

  function show(print) {
    const item = section.querySelector(`[data-print-size="${print.size}"]`);
    if (!item) return;
    item.dataset.printStatus = print.status;
    const state = item.querySelector(".print-state");
    if (print.url) {
      const link = document.createElement("a");
      link.href = print.url;
      link.download = "";
      link.textContent = "download the PNG";
      state.replaceChildren(link);
    } else if (print.status === "queued" || print.status === "started") {
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = print.progress;
      bar.setAttribute("aria-label", `print progress, ${print.size} px`);
      state.replaceChildren(bar, ` ${print.status} ${Math.round(print.progress * 100)}%`);
    } else if (print.status === "failed") {
      state.textContent = "failed";
    }
  }

  async function poll() {
    const busy = section.querySelector('[data-print-status="queued"], [data-print-status="started"]');
    if (!busy) return;
    try {
      const response = await fetch(section.dataset.statusUrl, { cache: "no-store" });
      if (response.ok) (await response.json()).prints.forEach(show);
    } catch (error) { /* keep polling */ }
    setTimeout(poll, 1500);
  }
  poll();
})();
