// The day board refreshes its table with htmx (every 15 s, hx-get on #day-board). This file
// only makes that refresh cheap and audible; without it the board still works (reload, links).
// - It sends the last ETag back as If-None-Match; a 304 leaves the table alone.
// - A refresh that is not the board's fragment (say, a sign-in page after the session ended)
//   is not swapped in; the board says it could not refresh.
// - Status changes and new or removed rows are announced in the polite live region.
(function () {
  "use strict";
  var region = document.getElementById("day-board");
  var live = document.getElementById("board-updates");
  if (!region || !live) { return; }
  var etag = region.getAttribute("data-etag");
  var before = null;

  function rows() {
    var found = {};
    var list = region.querySelectorAll("tr[data-appointment]");
    for (var i = 0; i < list.length; i++) {
      var row = list[i];
      found[row.getAttribute("data-appointment")] = {
        patient: row.getAttribute("data-patient"),
        time: row.getAttribute("data-time"),
        status: row.getAttribute("data-status")
      };
    }
    return found;
  }

  function say(sentences) {
    if (sentences.length) { live.textContent = sentences.join(" "); }
  }

  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt === region && etag) { event.detail.headers["If-None-Match"] = etag; }
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.elt !== region) { return; }
    var xhr = event.detail.xhr;
    var newTag = xhr.getResponseHeader("ETag");
    if (xhr.status === 304) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      return;
    }
    if (xhr.status !== 200 || !newTag) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      say(["The board could not refresh itself; reload the page."]);
      return;
    }
    etag = newTag;
    before = rows();
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.elt !== region || before === null) { return; }
    var after = rows();
    var sentences = [];
    var id;
    for (id in after) {
      if (!Object.prototype.hasOwnProperty.call(after, id)) { continue; }
      var now = after[id];
      var then = before[id];
      if (!then) {
        sentences.push(now.patient + ", " + now.time + ": new on the board, " + now.status.toLowerCase() + ".");
      } else if (then.status !== now.status) {
        sentences.push(now.patient + ": " + now.status.toLowerCase() + ".");
      }
    }
    for (id in before) {
      if (Object.prototype.hasOwnProperty.call(before, id) && !after[id]) {
        sentences.push(before[id].patient + ", " + before[id].time + ": no longer on the board.");
      }
    }
    before = null;
    say(sentences);
  });
})();
