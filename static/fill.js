// A page that fills itself: polls its stills.json and swaps each grey "not yet rendered"
// box (data-cell) for its image as it arrives, and says how many stills are to come.
(function () {
  const grid = document.querySelector("[data-fill]");
  if (!grid) return;
  const toCome = document.getElementById("to-come");
  const rendered = document.getElementById("rendered");

  function swap(box, cell) {
    const image = document.createElement("img");
    image.className = "thumb";
    image.src = cell.thumb;
    image.alt = grid.dataset.alt === "title" ? cell.title : "";
    if (grid.dataset.side) image.width = image.height = Number(grid.dataset.side);
    box.replaceWith(image);
  }

  function show(status) {
    for (const box of grid.querySelectorAll("[data-cell]")) {
      const cell = status.cells[box.dataset.cell];
      if (cell) swap(box, cell);
    }
    if (rendered && status.rendered !== undefined) rendered.textContent = `${status.rendered} rendered`;
    const left = status.to_come;
    if (toCome) {
      toCome.textContent = left
        ? `${left} still${left === 1 ? "" : "s"} to come: they appear here as they are rendered.`
        : "Every still of this page is here.";
    }
    return left === 0;
  }

  async function poll() {
    try {
      const response = await fetch(grid.dataset.fill, { cache: "no-store" });
      if (response.ok && show(await response.json())) return;
    } catch (error) { /* the server may be restarting: keep polling */ }
    setTimeout(poll, 1500);
  }
  setTimeout(poll, 1000);
})();
