// The guest's countdown circle. The server sends the deadlines once (and again only when the
// session changes state); this component ticks the clock in the browser, so a running session
// costs no network traffic. The grace/running/finishing rule mirrors services/device_sessions.py.
// Its words come from the guest's catalogue (`texts`, the `countdown.*` messages), in the page's language.
// Screen readers: the ticking clock is not a live region (it would be read out every second); a hidden polite
// live region says the phase and the time left when the page opens, at each of `spokenMarks` (seconds left, from
// services/guest_sessions.py: every 5 minutes, each minute of the last 5, 30 s and 10 s) and when the phase changes.
import React, { useEffect, useRef, useState } from "react";

function phaseAt(status, now, startsAt, endsAt, finishingMs) {
  if (status !== "active") return status;
  if (now < startsAt) return "grace";
  if (endsAt - now <= finishingMs) return "finishing";
  return "running";
}

function clock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0");
  const ss = String(s).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

// The smallest mark at or above `seconds`: it moves only when the time left crosses a mark.
function markFor(seconds, marks) {
  let found = null;
  for (const mark of marks || []) {
    if (seconds <= mark && (found === null || mark < found)) found = mark;
  }
  return found;
}

export function CountdownCircle({ status, startsAt, endsAt, finishingMs, serverNow, accent, texts, lang, spokenMarks }) {
  const say = (id) => (texts && texts[`countdown.${id}`]) || id;
  // Offset between the server's clock and this phone's, fixed when the deadlines arrive.
  const [offset, setOffset] = useState(0);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    setOffset(serverNow ? serverNow - Date.now() : 0);
  }, [serverNow]);
  useEffect(() => {
    if (status !== "active") return undefined;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [status]);

  const t = now + offset;
  const phase = phaseAt(status, t, startsAt, endsAt, finishingMs);
  let fraction = 0;
  let big = "";
  let sub = say(phase);
  if (phase === "grace") {
    fraction = 1;
    big = clock(startsAt - t);
    sub = say("starts_in");
  } else if (phase === "running" || phase === "finishing") {
    const total = Math.max(1, endsAt - startsAt);
    fraction = Math.min(1, Math.max(0, (endsAt - t) / total));
    big = clock(endsAt - t);
    sub = phase === "finishing" ? say("finishing_left") : say("time_left");
  } else if (phase === "complete") {
    big = say("done");
  } else if (phase === "failed" || phase === "interrupted") {
    big = "!";
  } else if (phase === "cancelled") {
    big = "×";
  } else {
    big = "…";
  }
  const colour = phase === "failed" ? "#c62828" : phase === "interrupted" ? "#ef6c00" : phase === "finishing" ? "#ef6c00" : phase === "grace" ? "#6a1b9a" : accent || "#0b6bcb";
  const r = 88;
  const circumference = 2 * Math.PI * r;
  // What the live region says, written again only when its key changes (a mark crossed, another phase).
  const counting = phase === "running" || phase === "finishing";
  const secondsLeft = counting ? Math.max(0, Math.ceil((endsAt - t) / 1000)) : 0;
  const key = counting ? `left:${markFor(secondsLeft, spokenMarks)}` : phase;
  const spoken = useRef({ key: null, text: "" });
  if (spoken.current.key !== key) {
    let text = say(phase);
    if (counting && secondsLeft >= 60) {
      const minutes = Math.ceil(secondsLeft / 60);
      const plural = new Intl.PluralRules(lang || "en").select(minutes) === "one" ? "one" : "other";
      text = say(`minutes_left_${plural}`).replace("{phase}", say(phase)).replace("{minutes}", String(minutes));
    } else if (counting) {
      text = say("seconds_left").replace("{phase}", say(phase)).replace("{seconds}", String(secondsLeft));
    }
    spoken.current = { key, text };
  }

  return (
    <div className="countdown" data-phase={phase} style={{ position: "relative", width: 220, height: 220, margin: "0 auto" }}>
      <svg width="220" height="220" viewBox="0 0 220 220" aria-hidden="true">
        <circle cx="110" cy="110" r={r} fill="none" stroke="#e3e6ea" strokeWidth="14" />
        <circle
          cx="110" cy="110" r={r} fill="none" stroke={colour} strokeWidth="14" strokeLinecap="round"
          strokeDasharray={circumference} strokeDashoffset={circumference * (1 - fraction)}
          transform="rotate(-90 110 110)" style={{ transition: "stroke-dashoffset 1s linear, stroke 0.5s" }}
        />
      </svg>
      <div style={{ position: "absolute", inset: 0, display: "flex", flexDirection: "column", alignItems: "center", justifyContent: "center" }}>
        <div className="countdown-time" role="timer" style={{ fontSize: 44, fontWeight: 700, fontVariantNumeric: "tabular-nums", color: "#111" }}>{big}</div>
        <div className="countdown-label" style={{ fontSize: 15, color: "#444", marginTop: 4 }}>{sub}</div>
      </div>
      <div className="sr-only countdown-spoken" aria-live="polite" aria-atomic="true">{spoken.current.text}</div>
    </div>
  );
}
