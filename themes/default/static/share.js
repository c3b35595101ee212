// "Copy link" beside the share links: shown only where the browser can copy.
(function () {
  var button = document.querySelector(".copy-link");
  if (!button || !navigator.clipboard) return;
  button.hidden = false;
  var label = button.textContent;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.getAttribute("data-url")).then(function () {
      button.textContent = button.getAttribute("data-copied");
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
})();
