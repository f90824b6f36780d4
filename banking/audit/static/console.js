// Runs verify (of the chain, or against a pasted kept checkpoint) without leaving the page;
// without JavaScript the forms post and the page comes back with the result.
document.addEventListener("DOMContentLoaded", () => {
  const out = document.getElementById("verify-result");
  if (!out) return;
  const show = (label, text, state) => {
    const strong = document.createElement("strong");
    strong.textContent = label;
    const p = document.createElement("p");
    p.append(strong, `: ${text}`);  // text nodes only: nothing is parsed as HTML
    out.replaceChildren(p);
    out.className = `result ${state}`;
  };
  for (const form of document.querySelectorAll("form.verify-form")) {
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
        const body = await response.json().catch(() => null);
        if (response.status === 422 && body && body.error) {
          show("Not verified", body.error.message, "bad");
          return;
        }
        if (!response.ok || !body) throw new Error(`HTTP ${response.status}`);
        show(body.ok ? "OK" : "Broken", body.summary, body.ok ? "ok" : "bad");
      } catch (error) {
        out.textContent = `Verify could not run (${error.message}); try again.`;
      } finally {
        button.disabled = false;
      }
    });
  }
});
