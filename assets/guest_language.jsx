// The guest pages' language menu. A choice is kept in a cookie (read by the server on the next page load,
// as the websocket's handshake carries it) and the page reloads, so every text, price and time is written
// again in the new language. It also keeps <html lang> and the tab's title in the page's language.
import React, { useEffect } from "react";

const COOKIE = "hygate_lang";
const ONE_YEAR = 365 * 24 * 3600;

function remember(language) {
  const secure = window.location.protocol === "https:" ? "; secure" : "";
  document.cookie = `${COOKIE}=${encodeURIComponent(language)}; path=/; max-age=${ONE_YEAR}; samesite=lax${secure}`;
}

export function GuestLanguage({ value, label, languages, title }) {
  useEffect(() => {
    if (value) document.documentElement.lang = value;
  }, [value]);
  useEffect(() => {
    if (title) document.title = title;
  }, [title]);
  const choose = (event) => {
    remember(event.target.value);
    window.location.reload();
  };
  return (
    <select
      id="language-menu"
      aria-label={label}
      value={value}
      onChange={choose}
      style={{ font: "inherit", fontSize: 14, padding: "4px 6px", borderRadius: 8, border: "1px solid var(--gray-a7)", background: "white", color: "inherit" }}
    >
      {Object.entries(languages || {}).map(([code, name]) => (
        <option key={code} value={code} lang={code}>{name}</option>
      ))}
    </select>
  );
}
