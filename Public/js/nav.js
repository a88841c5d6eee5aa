// On a narrow screen the pages of the top bar scroll sideways in one line: open each page with its own in view.
(function () {
  "use strict";
  const current = document.querySelector('.topbar nav a[aria-current="page"]');
  const strip = current && current.closest("nav");
  if (strip && strip.scrollWidth > strip.clientWidth) {
    strip.scrollLeft = current.offsetLeft - (strip.clientWidth - current.offsetWidth) / 2;
  }
})();
