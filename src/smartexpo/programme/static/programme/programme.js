// The programme's filters apply as soon as a list changes (the Search button does the same
// without this script), and the agenda's calendar address is selected whole on a click.
document.addEventListener("DOMContentLoaded", () => {
  const filters = document.querySelector(".prog-filters");
  if (filters) {
    for (const select of filters.querySelectorAll("select")) {
      select.addEventListener("change", () => filters.requestSubmit());
    }
  }
  const feed = document.getElementById("feed-url");
  if (feed) feed.addEventListener("focus", () => feed.select());
});
