// The "Copy" button of a secret shown once (a new API token). Without this script, or where
// the browser refuses the clipboard (a page not served over HTTPS), the secret is selected
// instead, ready to copy by hand. The button's texts come translated from the page.
"use strict";

document.querySelectorAll("button[data-copy]").forEach((button) => {
  const target = document.getElementById(button.dataset.copy);
  if (!target) return;
  button.hidden = false;
  const select = () => {
    const range = document.createRange();
    range.selectNodeContents(target);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  };
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.textContent.trim());
      button.textContent = button.dataset.done;
    } catch (error) {
      select();
      button.textContent = button.dataset.failed;
    }
  });
});
