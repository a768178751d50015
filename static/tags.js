// The note form's tag list: typing in the box shows only the taxa whose name matches.
(function () {
  const filter = document.getElementById("tag-filter");
  if (!filter) return;
  const options = document.querySelectorAll(".tag-options label");
  filter.addEventListener("input", () => {
    const wanted = filter.value.trim().toLowerCase();
    for (const label of options) {
      const item = label.closest("div") || label;
      const checked = label.querySelector("input").checked;
      item.hidden = wanted !== "" && !checked && !label.textContent.toLowerCase().includes(wanted);
    }
  });
})();
