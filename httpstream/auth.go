package httpstream

import (
	"charm.land/log/v2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"pistream/internal/atomicfile"
	"pistream/internal/statedir"
)

// CookieName is the cookie that carries the access token after a URL with
// ?token= was opened, so the page's own requests need no token.
const CookieName = "pistream_token"

// LoadOrCreateToken returns the access token kept in path, creating a random
// one (mode 0600) on first use. The file is never read through a symbolic
// link; a link, a directory or another odd file there is an error naming
// the path; a token file others can read is tightened to 0600 and logged.
func LoadOrCreateToken(path string, logger *log.Logger) (string, error) {
	if logger == nil {
		logger = log.Default()
	}
	tok, ok, err := readToken(path, logger)
	if ok || err != nil {
		return tok, err
	}
	var b [16]byte
	rand.Read(b[:])
	tok = hex.EncodeToString(b[:])
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("http token: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("http token: %w", err)
	}
	defer root.Close() // only linked and synced in; Create reports those errors
	// Written whole under a temporary name, then linked into place: a
	// crash never leaves an empty token file, and of two processes
	// starting at once the second reads the first one's token.
	err = atomicfile.Create(root, filepath.Base(path), ".http_token-", []byte(tok+"\n"), 0o600)
	if errors.Is(err, fs.ErrExist) { // another process was first: read its token, once
		if tok, ok, err := readToken(path, logger); ok || err != nil {
			return tok, err
		}
		return "", fmt.Errorf("http token: %s appeared and vanished while pistream created it", path)
	}
	if err != nil {
		return "", fmt.Errorf("http token: %w", err)
	}
	return tok, nil
}

// readToken reads the token at path; ok is false when there is none yet.
func readToken(path string, logger *log.Logger) (tok string, ok bool, err error) {
	exists, tightened, err := statedir.CheckSecret(path)
	if err != nil {
		return "", false, fmt.Errorf("http token: %w", err)
	}
	if !exists {
		return "", false, nil
	}
	if tightened != 0 {
		logger.Warn("tightened the HTTP token file: others could read it", "path", path, "was", fmt.Sprintf("%04o", tightened), "now", "0600")
	}
	data, err := statedir.ReadSecret(path, 4096)
	if err != nil {
		return "", false, fmt.Errorf("http token: %w", err)
	}
	tok = strings.TrimSpace(string(data))
	if err := ValidToken(tok); err != nil {
		return "", false, fmt.Errorf("http token in %s: %w", path, err)
	}
	return tok, true, nil
}

// ValidToken refuses tokens too short to be secret or that could not be
// carried in a URL, a header and a cookie unchanged.
func ValidToken(tok string) error {
	if len(tok) < 16 {
		return errors.New("token too short: want at least 16 characters")
	}
	if len(tok) > 256 {
		return errors.New("token too long: want at most 256 characters")
	}
	for _, c := range tok {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)
		if !ok {
			return fmt.Errorf("token has %q: use letters, digits and - . _ ~", c)
		}
	}
	return nil
}

// tokenFrom returns the token a request presents and whether it came in
// the query. The query (?token=) comes first, then the Authorization header
// (Bearer, or Basic with any user name and the token as password), then the
// cookie. A Basic password that is not want gives way to the cookie, as
// does another scheme: a reverse proxy's own Basic login in front of
// pistream must not hide the cookie.
func tokenFrom(r *http.Request, want string) (tok string, fromQuery bool) {
	if q := r.URL.Query(); q.Has("token") {
		return q.Get("token"), true
	}
	cookie, cookieErr := r.Cookie(CookieName)
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		switch {
		case strings.EqualFold(scheme, "Bearer"):
			return strings.TrimSpace(rest), false
		case strings.EqualFold(scheme, "Basic"):
			if _, pass, ok := r.BasicAuth(); ok && (cookieErr != nil || sameToken(pass, want)) {
				return pass, false
			}
		}
	}
	if cookieErr == nil {
		return cookie.Value, false
	}
	return "", false
}

// sameToken compares in constant time, whatever the lengths.
func sameToken(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1 && want != ""
}

// requireToken lets through requests that present the server's token and
// answers 401 to the others. A token given in the query also sets the
// cookie, so a page opened from a URL with ?token= can load its feed.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.guesses.blocked(r.RemoteAddr) {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "429 too many wrong tokens from this address: try again in a minute", http.StatusTooManyRequests)
			return
		}
		tok, fromQuery := tokenFrom(r, s.cfg.Token)
		if !sameToken(tok, s.cfg.Token) {
			if tok != "" && s.guesses.wrong(r.RemoteAddr) {
				s.log.Warn("too many wrong tokens: refusing this address for a minute", "remote", host(r.RemoteAddr))
			}
			// Basic first: browsers, ffmpeg and Home Assistant then ask
			// for a user name (any) and a password (the token).
			w.Header().Add("WWW-Authenticate", `Basic realm="pistream"`)
			w.Header().Add("WWW-Authenticate", `Bearer realm="pistream"`)
			msg := "401 unauthorized: open the URL with ?token=… that pistream prints at start and shows on its Live screen"
			if tok != "" {
				msg = "401 unauthorized: wrong token"
			}
			if wantsPage(r) {
				loginPage(w, tok != "")
				return
			}
			http.Error(w, msg, http.StatusUnauthorized)
			return
		}
		if fromQuery {
			http.SetCookie(w, &http.Cookie{
				Name: CookieName, Value: tok, Path: "/",
				HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
				MaxAge: 400 * 24 * 3600,
			})
			if cleanURL(w, r) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// wantsPage reports whether r is a browser opening a page (as opposed to
// an <img>, a fetch or a program), which is better answered with HTML.
func wantsPage(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	if dest := r.Header.Get("Sec-Fetch-Dest"); dest != "" {
		return dest == "document"
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// cleanURL sends a browser that opened a URL with ?token= (and now has
// the cookie) to the same URL without it, so the token leaves the address
// bar and the history, as Jupyter does; it reports whether it did. Only
// a navigation the browser will send the SameSite=Strict cookie with is
// redirected: one typed, bookmarked or from pistream's own page. A link
// followed from another site is answered in place; the page then takes
// the token out of the address bar itself (history.replaceState).
func cleanURL(w http.ResponseWriter, r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	if r.Method != http.MethodGet || r.Header.Get("Sec-Fetch-Dest") != "document" || site != "none" && site != "same-origin" {
		return false
	}
	q := r.URL.Query()
	q.Del("token")
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	// The path is clean (see canonical), so it cannot start with "//"
	// and send the browser to another host.
	noCache(w.Header())
	w.Header().Set("Location", u.RequestURI())
	w.WriteHeader(http.StatusSeeOther)
	return true
}

// loginTemplate is the 401 page a browser shows (after its own Basic
// dialog, when cancelled): a field for the access token, sent as ?token=
// to the same path, which sets the cookie.
var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pistream · access token</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; padding: 2em 1em; display: flex; justify-content: center; }
  form { display: flex; flex-direction: column; gap: .75em; width: min(100%, 24em); }
  h1 { font-size: 1.2em; margin: 0; }
  input, button { font: inherit; padding: .5em; border-radius: .4em; }
  p { margin: 0; overflow-wrap: anywhere; }
  .error { color: #c62828; }
  @media (prefers-color-scheme: dark) { .error { color: #ef9a9a; } }
</style>
</head>
<body>
<form method="get">
  <h1>pistream</h1>
  {{if .Wrong}}<p class="error" id="wrong">That token is wrong.</p>{{end}}
  <label for="token">Access token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
  <button>Open</button>
  <p>The token is in the URL pistream logs at start and shows on its Live screen, and in <code>http_token</code> in its state directory.</p>
</form>
</body>
</html>
`))

// loginPage answers 401 with loginTemplate; wrong says a token was given.
func loginPage(w http.ResponseWriter, wrong bool) {
	noCache(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	loginTemplate.Execute(w, struct{ Wrong bool }{wrong})
}
