// Tours: the left and right arrow keys follow the page's previous and next links.
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  const rel = { ArrowLeft: "prev", ArrowRight: "next" }[event.key];
  const link = rel && document.querySelector('nav.pager a[rel="' + rel + '"]');
  if (link) window.location.assign(link.href);
});
