// A page that shows unfinished jobs carries data-refresh-seconds: reload it while it is on
// screen, so progress moves without the reviewer pressing reload. Nothing else needs script.
"use strict";
(() => {
  const seconds = Number(document.body.dataset.refreshSeconds);
  if (!(seconds > 0)) return;
  setInterval(() => {
    if (document.visibilityState === "visible") window.location.reload();
  }, seconds * 1000);
})();
