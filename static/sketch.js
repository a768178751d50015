// The sketch form shows the fields the chosen objective uses (count, channel B) and marks
// the chosen objective's and style's explanation; hidden fields are not sent.
(function () {
  const form = document.getElementById("sketch-form");
  if (!form) return;
  const objective = form.elements.objective;
  const style = form.elements.style;

  function update() {
    for (const input of form.querySelectorAll("[data-objectives]")) {
      const used = input.dataset.objectives.split(" ").includes(objective.value);
      input.closest(".field").hidden = !used;
      input.disabled = !used;
    }
    for (const row of document.querySelectorAll("[data-choice]")) {
      const [name, value] = row.dataset.choice.split(":");
      row.classList.toggle("chosen", form.elements[name].value === value);
    }
  }
  objective.addEventListener("change", update);
  style.addEventListener("change", update);
  update();
})();
