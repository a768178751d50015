// Keyboard shortcuts: a key follows the link marked with its data-key (listed on the page).
(function () {
  const KEYS = { ArrowLeft: "prev", ArrowRight: "next", u: "up", "[": "prev-layer", "]": "next-layer", i: "input", o: "output" };
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    if (event.target.closest("input, select, textarea, [contenteditable], dialog[open]")) return;
    const link = KEYS[event.key] && document.querySelector(`a[data-key="${KEYS[event.key]}"]`);
    if (!link) return;
    event.preventDefault();
    link.click();
  });
})();
