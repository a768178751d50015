// A channel page's still: click to see it enlarged (a dialog; Escape or a click closes it).
(function () {
  function lightbox() {
    let dialog = document.getElementById("lightbox");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "lightbox";
    dialog.className = "lightbox";
    dialog.setAttribute("aria-label", "the still, enlarged");
    const image = document.createElement("img");
    image.className = "sharp";
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "close";
    dialog.append(image, close);
    dialog.addEventListener("click", () => dialog.close());
    document.body.appendChild(dialog);
    return dialog;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.enlarge");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const dialog = lightbox();
    const image = dialog.querySelector("img");
    image.src = link.href;
    image.alt = link.querySelector("img").alt;
    dialog.showModal();
  });
})();
