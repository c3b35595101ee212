// newsgen serve: reload the page when something it shows changed.
// Injected by the preview server only; never part of a built site.
(function () {
  "use strict";
  var source = new EventSource("/__newsgen/events");
  var OVERLAY = "newsgen-overlay";
  source.addEventListener("open", function () { window.newsgenLive = "connected"; });

  function here() {
    return location.pathname.replace(/index\.html$/, "");
  }

  function showProblems(problems) {
    var box = document.getElementById(OVERLAY);
    if (!box) {
      box = document.createElement("div");
      box.id = OVERLAY;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,24,.94);color:#fff;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "newsgen: the site has problems; showing the last good build.\n\n" + problems.join("\n");
  }

  function hideProblems() {
    var box = document.getElementById(OVERLAY);
    if (box) box.remove();
  }

  source.addEventListener("problems", function (event) {
    showProblems(JSON.parse(event.data));
  });
  source.addEventListener("fixed", hideProblems);
  source.addEventListener("reload", function (event) {
    var change = JSON.parse(event.data);
    hideProblems();
    if (change.renamed[here()]) {
      location.replace(change.renamed[here()]);
    } else if (change.everything || change.changed.indexOf(here()) >= 0) {
      location.reload();
    }
  });
  source.addEventListener("stylesheet", function () {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href);
      url.searchParams.set("v", Date.now());
      links[i].href = url.href;
    }
  });
})();
