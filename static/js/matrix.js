// The editors of the qualification tables (a cell of the matrix, a topic of a member's own row). htmx inserts the
// editor as a table row right below the row of the link that opened it (hx-target="closest tr" hx-swap="afterend" on
// a table marked data-row-editor); this script lines the editor up under that cell, keeps it inside the table's
// visible box, moves the focus into it, and closes it with Escape or "Schließen", giving the focus back to the link.
// After a save htmx has swapped the changed parts in place (out of band) and sends the event "cell-saved".
// Without JavaScript each link opens a page of its own.
(function () {
  "use strict";
  var ROW_ID = "cell-editor-row";
  var GAP = 8; // px between the editor and the edges of the table's visible box

  function editorRow() {
    return document.getElementById(ROW_ID);
  }

  function cellLink(cellId) {
    var cell = cellId ? document.getElementById(cellId) : null;
    return cell ? cell.querySelector("a") : null;
  }

  function close(returnFocus) {
    var row = editorRow();
    if (!row) return;
    var cellId = row.getAttribute("data-cell");
    row.remove();
    var link = cellLink(cellId);
    if (returnFocus && link) link.focus();
  }

  // The first field with an error, else the chosen priority, else the first field.
  function firstField(root) {
    return root.querySelector("[aria-invalid=true]") || root.querySelector("input[type=radio]:checked") ||
      root.querySelector("input:not([type=hidden]), select, textarea, button");
  }

  // Under the cell, as wide as fits: from the cell's left edge, moved left where it would leave the visible box.
  function place(row) {
    var cell = document.getElementById(row.getAttribute("data-cell"));
    var box = row.querySelector(".cell-editor");
    var wrap = row.closest(".table-wrap");
    var table = row.closest("table");
    if (!cell || !box || !wrap || !table) return;
    var columns = 0;
    Array.prototype.forEach.call(cell.parentElement.cells, function (c) { columns += c.colSpan; });
    row.cells[0].colSpan = columns; // the filters may show fewer topics than the catalogue has
    var visibleLeft = wrap.scrollLeft;
    var visibleRight = Math.min(wrap.scrollLeft + wrap.clientWidth, table.offsetWidth);
    var preferred = parseFloat(getComputedStyle(box).getPropertyValue("--editor-width")) || 640;
    var width = Math.max(0, Math.min(preferred, visibleRight - visibleLeft - 2 * GAP));
    var cellLeft = cell.getBoundingClientRect().left - table.getBoundingClientRect().left;
    var left = Math.max(visibleLeft + GAP, Math.min(cellLeft, visibleRight - width - GAP));
    box.style.width = width + "px";
    box.style.marginLeft = left + "px";
    // Scrolled into view below the sticky header row, with the cell's row still in sight above it.
    var head = table.tHead ? table.tHead.offsetHeight : 0;
    box.style.scrollMarginTop = head + cell.offsetHeight + GAP + "px";
  }

  function open(row) {
    place(row);
    var box = row.querySelector(".cell-editor");
    box.scrollIntoView({ block: "nearest", inline: "nearest" });
    var field = firstField(box);
    if (field) field.focus({ preventScroll: true });
  }

  // One editor at a time: opening another cell closes the open one first.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt instanceof Element && elt.matches("table[data-row-editor] td a")) close(false);
  });

  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (elt instanceof Element && elt.id === ROW_ID) open(elt);
  });

  // A refused save shows the form again in the editor: the focus goes to the first field with an error.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target instanceof Element && target.id === "cell-editor") {
      var field = firstField(target);
      if (field) field.focus();
    }
  });

  document.addEventListener("cell-saved", function () {
    close(true);
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-cell-editor-close]") : null;
    if (button) close(true);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var row = editorRow();
    if (!row) return;
    var active = document.activeElement;
    if (row.contains(active) || active === cellLink(row.getAttribute("data-cell"))) {
      event.preventDefault();
      close(true);
    }
  });
})();
