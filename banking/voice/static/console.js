// The speaker console: one voice turn per submit, through the server-side signer.
// Every value from the service is written with textContent, never as HTML.
"use strict";

(function () {
  const TURN_URL = "/console/api/turn";
  const SECRET_PROMPTS = new Set(["pin", "otp"]);
  const AWAITING_TEXT = {
    amount: "금액을 기다리는 중 · awaiting the amount",
    payee: "받는 분을 기다리는 중 · awaiting the payee",
    bank: "은행을 기다리는 중 · awaiting the bank",
    pin: "음성 PIN을 기다리는 중 · awaiting the voice PIN (hidden as you type)",
    otp: "OTP 코드를 기다리는 중 · awaiting the OTP code (hidden as you type)",
  };

  const $ = (id) => document.getElementById(id);
  const form = $("turn-form");
  const input = $("utterance");
  const sendButton = $("send");
  const state = { sessionId: null, awaiting: null, busy: false };

  function entry(who, text, extra) {
    const item = document.createElement("li");
    item.className = "turn " + who;
    const speaker = document.createElement("span");
    speaker.className = "who";
    speaker.textContent = who === "you" ? "나 · You" : who === "notice" ? "알림 · Notice" : "스피커 · Speaker";
    const said = document.createElement("span");
    said.className = "said";
    said.textContent = text;
    item.append(speaker, said);
    if (extra) {
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = extra;
      item.append(meta);
    }
    $("conversation").append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function showCard(reply) {
    const card = $("card");
    card.dataset.status = reply.status;
    $("card-title").textContent = reply.card.title;
    const lines = $("card-lines");
    lines.replaceChildren(...reply.card.lines.map((line) => {
      const li = document.createElement("li");
      li.textContent = line;
      return li;
    }));
    const parts = [reply.intent, reply.status];
    if (reply.data && reply.data.status) parts.push("transfer " + reply.data.status);
    $("card-meta").textContent = parts.join(" · ");
  }

  function setAwaiting(awaiting, status) {
    state.awaiting = status === "in_progress" ? awaiting : null;
    const secret = SECRET_PROMPTS.has(state.awaiting);
    // a PIN or code is typed like a password and never shown in the log
    input.type = secret ? "password" : "text";
    input.inputMode = secret ? "numeric" : "text";
    $("awaiting").textContent = state.awaiting ? AWAITING_TEXT[state.awaiting] || state.awaiting
      : (state.sessionId ? "말씀해 주세요 · go ahead" : "새 대화 · new conversation");
  }

  function speak(reply) {
    if (!$("speak-replies").checked || !("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(reply.speech);
    utterance.lang = /[\uac00-\ud7a3]/.test(reply.speech) ? "ko-KR" : "en-US";
    window.speechSynthesis.speak(utterance);
  }

  async function send(text) {
    if (state.busy || !text) return;
    state.busy = true;
    sendButton.disabled = true;
    entry("you", SECRET_PROMPTS.has(state.awaiting) ? "•".repeat(Math.min(text.length, 8)) : text);
    const body = { utterance: text, session_id: state.sessionId, locale: $("locale").value || null };
    try {
      const response = await fetch(TURN_URL, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const reply = await response.json();
      if (!response.ok) {
        const message = reply && reply.error ? reply.error.message : "HTTP " + response.status;
        $("speech").textContent = message;
        entry("speaker", message, "error " + response.status);
        return;
      }
      state.sessionId = reply.session_id;
      showCard(reply);
      $("speech").textContent = reply.speech;
      entry("speaker", reply.speech, reply.intent + " · " + reply.status +
        (reply.awaiting ? " · awaiting " + reply.awaiting : ""));
      setAwaiting(reply.awaiting, reply.status);
      speak(reply);
    } catch (error) {
      $("speech").textContent = "연결할 수 없습니다 · cannot reach the service";
    } finally {
      state.busy = false;
      sendButton.disabled = false;
      input.value = "";
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(input.value.trim());
  });

  $("new-conversation").addEventListener("click", () => {
    state.sessionId = null;
    setAwaiting(null, "new");
    $("conversation").replaceChildren();
    $("speech").textContent = "";
    input.focus();
  });

  // Web Speech API where the browser has it (Chrome: webkitSpeechRecognition)
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (Recognition) {
    const mic = $("mic");
    mic.hidden = false;
    mic.addEventListener("click", () => {
      const recognition = new Recognition();
      recognition.lang = $("locale").value || "ko-KR";
      recognition.interimResults = false;
      mic.setAttribute("aria-pressed", "true");
      recognition.onresult = (event) => send(event.results[0][0].transcript.trim());
      recognition.onend = () => mic.setAttribute("aria-pressed", "false");
      recognition.onerror = () => mic.setAttribute("aria-pressed", "false");
      recognition.start();
    });
  }
  if (!("speechSynthesis" in window)) $("speak-replies").disabled = true;
  // intent and status are for whoever debugs the skill, not for the TV's viewer
  $("show-debug").addEventListener("change", (event) => { $("card-meta").hidden = !event.target.checked; });

  // Notices (CONTRACT §8): a long poll through the signer; each new one is a toast and an
  // entry in the conversation. Those from before the page opened are skipped, not shown.
  const NOTICES_URL = "/console/api/notices";
  const TOAST_MS = 8000;

  function toast(notice) {
    const item = document.createElement("div");
    item.className = "toast";
    item.dataset.kind = notice.kind;
    item.textContent = notice.speech;
    $("toasts").append(item);
    setTimeout(() => item.remove(), TOAST_MS);
  }

  async function fetchNotices(after, wait) {
    const response = await fetch(NOTICES_URL + "?after=" + after + "&wait=" + wait, { credentials: "same-origin" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return (await response.json()).notices;
  }

  async function followNotices() {
    let after = 0;
    for (;;) {  // skip what is already there, a page at a time
      const old = await fetchNotices(after, 0);
      if (old.length) after = old[old.length - 1].id;
      if (old.length < 50) break;
    }
    $("toasts").dataset.ready = "true";
    for (;;) {
      try {
        for (const notice of await fetchNotices(after, 20)) {
          after = notice.id;
          toast(notice);
          entry("notice", notice.speech, "알림 · notice · " + notice.kind);
        }
      } catch (error) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }
  followNotices().catch(() => {});
})();
