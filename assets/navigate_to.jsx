// Full page navigation to a URL the server chose (the hosted checkout), without eval.
// Each URL is followed once per tab: when the guest comes back (Cancel, or the browser's Back
// button), the state rehydrates with the same URL and must not send them away again.
import { useEffect } from "react";

const FOLLOWED = "hygate:navigated-to";

export function NavigateTo({ href }) {
  useEffect(() => {
    if (!href || window.sessionStorage.getItem(FOLLOWED) === href) return;
    window.sessionStorage.setItem(FOLLOWED, href);
    window.location.assign(href);
  }, [href]);
  return null;
}
