// Runs verify without leaving the page; without JavaScript the form posts and the page
// comes back with the result.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("verify-form");
  const out = document.getElementById("verify-result");
  if (!form || !out) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    out.className = "result";
    out.textContent = "Verifying…";
    try {
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const result = await response.json();
      const strong = document.createElement("strong");
      strong.textContent = result.ok ? "OK" : "Broken";
      const p = document.createElement("p");
      p.append(strong, `: ${result.summary}`);  // text nodes only: nothing is parsed as HTML
      out.replaceChildren(p);
      out.className = `result ${result.ok ? "ok" : "bad"}`;
    } catch (error) {
      out.textContent = `Verify could not run (${error.message}); try again.`;
    } finally {
      button.disabled = false;
    }
  });
});
