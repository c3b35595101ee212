// Embedded videos and posts (newsgen's embed cards). Nothing is requested from the
// service until the reader presses the button; then its own embed frame takes the
// button's place. Without JavaScript the card stays a plain link.
(function () {
  var cards = document.querySelectorAll("figure.embed[data-embed]");
  Array.prototype.forEach.call(cards, function (card) {
    var button = card.querySelector(".embed-load");
    var note = card.querySelector(".embed-note");
    var link = card.querySelector(".embed-link");
    if (!button) return;
    button.hidden = false;
    if (note) note.hidden = false;
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = card.getAttribute("data-embed");
      frame.title = (link ? link.textContent + " — " : "") + card.getAttribute("data-service");
      frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
      frame.setAttribute("allowfullscreen", "");
      frame.className = "embed-frame";
      card.classList.add("embed-loaded");
      card.insertBefore(frame, card.firstChild);
      button.remove();
      if (note) note.remove();
      frame.focus();
    });
  });
})();
