// Search everywhere: "/" or Ctrl+K (Cmd+K) puts the cursor into the header's search field; on the results page the
// arrow keys move between the hits. Without JavaScript the field is a plain GET form and the hits plain links.
(function () {
  "use strict";
  function typing(target) {
    return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  document.addEventListener("keydown", function (event) {
    var field = document.getElementById("global-search");
    if (!field) return;
    var shortcut = (event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey) && !event.altKey;
    if (shortcut || (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target))) {
      event.preventDefault();
      field.focus();
      field.select();
      return;
    }
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !event.altKey) {
      var results = document.querySelector("[data-search-results]");
      if (!results) return;
      var links = Array.prototype.slice.call(results.querySelectorAll(".search-hits a"));
      if (!links.length) return;
      var onPageField = document.getElementById("id_search_page_q");
      var here = links.indexOf(document.activeElement);
      if (here === -1 && document.activeElement !== onPageField && document.activeElement !== field) return;
      event.preventDefault();
      var next = event.key === "ArrowDown" ? Math.min(here + 1, links.length - 1) : here - 1;
      if (next < 0) (onPageField || field).focus();
      else links[next].focus();
    }
  });
})();
