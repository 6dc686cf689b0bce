// pistream's pages: what the live page and the album share.
const $ = (id) => document.getElementById(id);
// Opened by a link with ?token= from elsewhere (not redirected to the
// clean URL): take the token out of the address bar; the cookie has it.
if (new URLSearchParams(location.search).has("token")) {
  const u = new URL(location.href);
  u.searchParams.delete("token");
  history.replaceState(null, "", u);
}
// fetch refuses a URL with credentials in it, which relative URLs inherit
// from a page opened as http://user:token@host/: ask without them (the
// browser still sends the Basic credentials it answered the page's
// challenge with).
const here = (p) => { const u = new URL(p, location.href); u.username = u.password = ""; return u; };
// A full-quality photo into the album, as the TUI's s key takes one.
$("take").addEventListener("click", async (e) => {
  const b = e.currentTarget, msg = $("msg");
  b.disabled = true;
  msg.className = "";
  msg.textContent = "taking a photo…";
  try {
    const r = await fetch(here("photos"), { method: "POST", cache: "no-store" });
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || r.status);
    msg.textContent = "saved ";
    const a = document.createElement("a");
    a.href = j.url;
    a.textContent = j.name;
    msg.append(a);
  } catch (err) {
    msg.className = "error";
    msg.textContent = "not saved: " + err.message;
  } finally {
    b.disabled = false;
  }
});
