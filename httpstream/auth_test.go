package httpstream

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	pathpkg "path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"

	"pistream/camera"
)

// testToken is a valid token using every kind of allowed character.
const testToken = "s3cret-Token_0123456789.~abcdef"

// newAuthServer builds a Server whose camera never runs: /snapshot answers
// 503 after SnapshotWait and /stream waits until the request ends.
func newAuthServer(t testing.TB, token string) *Server {
	t.Helper()
	quiet := log.New(io.Discard)
	cam := camera.New(camera.Config{
		Spec: "test", Settings: camera.Settings{Width: 160, Height: 120, FPS: 30},
		Logger: quiet,
	})
	// Many wrong tokens come from one address here: no limit on guesses.
	return New(Config{Camera: cam, Logger: quiet, Token: token, SnapshotWait: 10 * time.Millisecond, GuessLimit: -1})
}

func TestValidToken(t *testing.T) {
	for _, tc := range []struct {
		name, tok string
		ok        bool
		errHas    string
	}{
		{"empty", "", false, "too short"},
		{"15 chars", strings.Repeat("a", 15), false, "too short"},
		{"16 chars", strings.Repeat("a", 16), true, ""},
		{"256 chars", strings.Repeat("Z", 256), true, ""},
		{"257 chars", strings.Repeat("Z", 257), false, "too long"},
		{"hex 32", "0123456789abcdef0123456789ABCDEF", true, ""},
		{"all allowed punctuation", "abc-def.ghi_jkl~mno", true, ""},
		{"space", "abcdefgh ijklmnop", false, "' '"},
		{"plus", "abcdefgh+ijklmnop", false, "'+'"},
		{"slash", "abcdefgh/ijklmnop", false, "'/'"},
		{"equals", "abcdefgh=ijklmnop", false, "'='"},
		{"ampersand", "abcdefgh&ijklmnop", false, "'&'"},
		{"percent", "abcdefgh%20ijklmnop", false, "'%'"},
		{"semicolon", "abcdefgh;ijklmnop", false, "';'"},
		{"quote", `abcdefgh"ijklmnop`, false, `'"'`},
		{"comma", "abcdefgh,ijklmnop", false, "','"},
		{"newline", "abcdefghijklmnop\n", false, `'\n'`},
		{"NUL", "abcdefgh\x00ijklmnop", false, `'\x00'`},
		{"escape sequence", "\x1b[31mabcdefghijklmnop", false, `'\x1b'`},
		{"non-ASCII letter", "abcdefghijklmnopé", false, "'é'"},
		{"fullwidth digit", "abcdefghijklmnop１", false, "'１'"},
		{"invalid UTF-8", "abcdefghijklmnop\xff", false, "'\uFFFD'"},
		{"16 bytes but 8 runes", "éééééééé", false, "'é'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidToken(tc.tok)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidToken(%q) = %v, want ok=%v", tc.tok, err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("ValidToken(%q) = %q, want it to mention %s", tc.tok, err, tc.errHas)
			}
		})
	}
}

func TestLoadOrCreateToken(t *testing.T) {
	t.Run("creates in a new directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state", "sub")
		path := filepath.Join(dir, "http_token")
		tok, err := LoadOrCreateToken(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) != 32 {
			t.Errorf("token %q has %d chars, want 32", tok, len(tok))
		}
		if b, err := hex.DecodeString(tok); err != nil || len(b) != 16 || strings.ToLower(tok) != tok {
			t.Errorf("token %q is not 32 lower-case hex digits", tok)
		}
		if err := ValidToken(tok); err != nil {
			t.Errorf("created token refused by ValidToken: %v", err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("token file mode %v, want 0600", perm)
		}
		if di, err := os.Stat(dir); err != nil {
			t.Fatal(err)
		} else if perm := di.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("token directory mode %v, want no access for group and others", perm)
		}
		data, _ := os.ReadFile(path)
		if string(data) != tok+"\n" {
			t.Errorf("file holds %q, want %q", data, tok+"\n")
		}

		again, err := LoadOrCreateToken(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again != tok {
			t.Errorf("second call gave %q, want the same %q", again, tok)
		}
	})

	t.Run("two new tokens differ", func(t *testing.T) {
		dir := t.TempDir()
		a, err1 := LoadOrCreateToken(filepath.Join(dir, "a"), nil)
		b, err2 := LoadOrCreateToken(filepath.Join(dir, "b"), nil)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if a == b {
			t.Errorf("two new tokens are both %q", a)
		}
	})

	t.Run("keeps a token written by hand", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "http_token")
		os.WriteFile(path, []byte("  \t"+testToken+"\r\n\n"), 0o600)
		tok, err := LoadOrCreateToken(path, nil)
		if err != nil || tok != testToken {
			t.Errorf("got %q, %v; want %q", tok, err, testToken)
		}
	})

	for _, bad := range []struct{ name, content string }{
		{"short", "abc\n"},
		{"empty", ""},
		{"bad character", "abcdefgh ijklmnop\n"},
		{"two lines", testToken + "\n" + testToken + "\n"},
		{"too long", strings.Repeat("a", 300)},
	} {
		t.Run("refuses "+bad.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "http_token")
			if err := os.WriteFile(path, []byte(bad.content), 0o600); err != nil {
				t.Fatal(err)
			}
			tok, err := LoadOrCreateToken(path, nil)
			if err == nil {
				t.Fatalf("accepted %q from a file holding %q", tok, bad.content)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
			if data, _ := os.ReadFile(path); string(data) != bad.content {
				t.Errorf("the bad file was changed to %q", data)
			}
		})
	}

	t.Run("path is a directory", func(t *testing.T) {
		path := t.TempDir()
		if tok, err := LoadOrCreateToken(path, nil); err == nil {
			t.Errorf("got token %q from a directory", tok)
		}
	})

	t.Run("parent is a file", func(t *testing.T) {
		parent := filepath.Join(t.TempDir(), "file")
		os.WriteFile(parent, []byte("x"), 0o600)
		if tok, err := LoadOrCreateToken(filepath.Join(parent, "http_token"), nil); err == nil {
			t.Errorf("got token %q under a regular file", tok)
		}
	})
}

func TestTokenFrom(t *testing.T) {
	for _, tc := range []struct {
		name      string
		target    string
		auth      string
		cookie    string // value of CookieName, "" for none
		want      string
		fromQuery bool
	}{
		{name: "nothing", target: "/"},
		{name: "query", target: "/?token=abc", want: "abc", fromQuery: true},
		{name: "query escaped", target: "/?token=a%2Bb%20c", want: "a+b c", fromQuery: true},
		{name: "query plus is space", target: "/?token=a+b", want: "a b", fromQuery: true},
		{name: "query empty", target: "/?token=", want: "", fromQuery: true},
		{name: "query first of two", target: "/?token=one&token=two", want: "one", fromQuery: true},
		{name: "query with other params", target: "/?action=snapshot&token=abc", want: "abc", fromQuery: true},
		{name: "bearer", target: "/", auth: "Bearer abc", want: "abc"},
		{name: "bearer lower", target: "/", auth: "bearer abc", want: "abc"},
		{name: "bearer upper", target: "/", auth: "BEARER abc", want: "abc"},
		{name: "bearer mixed", target: "/", auth: "bEaReR abc", want: "abc"},
		{name: "bearer extra spaces", target: "/", auth: "Bearer   abc  ", want: "abc"},
		{name: "bearer no token", target: "/", auth: "Bearer", want: ""},
		{name: "bearer tab is not a separator", target: "/", auth: "Bearer\tabc", want: ""},
		{name: "basic", target: "/", auth: basic("x", testToken), want: testToken},
		{name: "basic any user", target: "/", auth: basic("", testToken), want: testToken},
		{name: "basic lower", target: "/", auth: "basic " + basic("x", testToken)[6:], want: testToken},
		{name: "basic wrong password", target: "/", auth: basic("x", "def"), want: "def"},
		{name: "basic colon in password", target: "/", auth: basic("x", "a:b"), want: "a:b"},
		{name: "basic without colon", target: "/", auth: "Basic YWJj", want: ""},
		{name: "basic not base64", target: "/", auth: "Basic " + testToken, want: ""},
		{name: "token scheme ignored", target: "/", auth: "Token abc", want: ""},
		{name: "bare token ignored", target: "/", auth: "abc", want: ""},
		{name: "cookie", target: "/", cookie: "abc", want: "abc"},
		{name: "query wins over bearer", target: "/?token=q", auth: "Bearer h", want: "q", fromQuery: true},
		{name: "query wins over cookie", target: "/?token=q", cookie: "c", want: "q", fromQuery: true},
		{name: "empty query wins", target: "/?token=", auth: "Bearer h", cookie: "c", want: "", fromQuery: true},
		{name: "bearer wins over cookie", target: "/", auth: "Bearer h", cookie: "c", want: "h"},
		{name: "query wins over basic", target: "/?token=q", auth: basic("x", testToken), want: "q", fromQuery: true},
		{name: "basic wins over cookie", target: "/", auth: basic("x", testToken), cookie: "c", want: testToken},
		// Another scheme, or a Basic password that is not the token (a
		// proxy's own login), gives way to the cookie.
		{name: "other scheme falls back to cookie", target: "/", auth: "Digest x", cookie: "c", want: "c"},
		{name: "malformed basic falls back to cookie", target: "/", auth: "Basic x", cookie: "c", want: "c"},
		{name: "proxy's basic falls back to cookie", target: "/", auth: basic("proxyuser", "proxypass"), cookie: "c", want: "c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: CookieName, Value: tc.cookie})
			}
			got, fromQuery := tokenFrom(r, testToken)
			if got != tc.want || fromQuery != tc.fromQuery {
				t.Errorf("tokenFrom = %q, %v; want %q, %v", got, fromQuery, tc.want, tc.fromQuery)
			}
		})
	}

	t.Run("other cookies ignored", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(&http.Cookie{Name: "other", Value: "abc"})
		r.AddCookie(&http.Cookie{Name: strings.ToUpper(CookieName), Value: "abc"})
		if got, _ := tokenFrom(r, testToken); got != "" {
			t.Errorf("tokenFrom = %q from cookies of other names", got)
		}
	})
}

// basic is an Authorization header of the Basic scheme.
func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestSameToken(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		same      bool
	}{
		{testToken, testToken, true},
		{"a", "a", true},
		{testToken, testToken + "x", false},
		{testToken + "x", testToken, false},
		{strings.ToUpper(testToken), testToken, false},
		{"", testToken, false},
		{testToken, "", false},
		{"", "", false}, // an empty want never matches
		{" " + testToken, testToken, false},
	} {
		if got := sameToken(tc.got, tc.want); got != tc.same {
			t.Errorf("sameToken(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.same)
		}
	}
}

// authCase is one request presented to a server whose token is testToken.
type authCase struct {
	path, query, auth, cookie string
}

// authCases are the table for TestHandlerAuth and the seeds of
// FuzzHandlerAuth.
func authCases() []authCase {
	var cases []authCase
	for _, p := range []struct{ path, query string }{
		{"/", ""}, {"/state", ""}, {"/snapshot", ""}, {"/", "action=snapshot"}, {"/nope", ""},
	} {
		q := p.query
		and := func(s string) string {
			if q == "" {
				return s
			}
			return q + "&" + s
		}
		cases = append(cases,
			authCase{path: p.path, query: q},
			authCase{path: p.path, query: and("token=wrong-token-0123456789")},
			authCase{path: p.path, query: and("token=" + testToken[:len(testToken)-1])},
			authCase{path: p.path, query: q, auth: "Bearer wrong-token-0123456789"},
			authCase{path: p.path, query: q, cookie: "wrong-token-0123456789"},
			authCase{path: p.path, query: and("token=" + testToken)},
			authCase{path: p.path, query: q, auth: "Bearer " + testToken},
			authCase{path: p.path, query: q, auth: "bearer " + testToken},
			authCase{path: p.path, query: q, cookie: testToken},
			authCase{path: p.path, query: q, auth: basic("x", testToken)},
			authCase{path: p.path, query: q, auth: basic("x", "wrong-token-0123456789")},
			authCase{path: p.path, query: q, auth: basic("x", "wrong-token-0123456789"), cookie: testToken},
			authCase{path: p.path, query: and("token=wrong-token-0123456789"), auth: basic("x", testToken)},
		)
	}
	return cases
}

// presentedToken says, independently of tokenFrom, which token a request
// built by authRequest presents: the query's token parameter if there is
// one, else a Bearer Authorization header, else the password of a Basic one
// unless it is wrong and there is a cookie, else the cookie.
func presentedToken(query, auth, cookie string) (tok string, fromQuery bool) {
	vals, _ := url.ParseQuery(query) // the pairs that parse, as net/http does
	if v, ok := vals["token"]; ok {
		return v[0], true
	}
	if auth != "" {
		const prefix = "bearer "
		if len(auth) >= len(prefix) && strings.EqualFold(auth[:len(prefix)], prefix) {
			return strings.TrimSpace(auth[len(prefix):]), false
		}
		if strings.EqualFold(strings.TrimSpace(auth), "bearer") || strings.EqualFold(auth, "bearer") {
			return "", false // "Bearer" alone: an empty token
		}
	}
	ck, hasCookie := "", false
	if cookie != "" {
		r := &http.Request{Header: http.Header{"Cookie": {CookieName + "=" + cookie}}}
		if c, err := r.Cookie(CookieName); err == nil {
			ck, hasCookie = c.Value, true
		}
	}
	const basicPrefix = "basic "
	if len(auth) >= len(basicPrefix) && strings.EqualFold(auth[:len(basicPrefix)], basicPrefix) {
		if b, err := base64.StdEncoding.DecodeString(auth[len(basicPrefix):]); err == nil {
			if _, pass, ok := strings.Cut(string(b), ":"); ok && (!hasCookie || pass == testToken) {
				return pass, false
			}
		}
	}
	// another scheme, or a wrong Basic password beside a cookie: the cookie counts
	return ck, false
}

// authRequest builds a GET for the case, or nil when the URL is not one a
// client could send.
func authRequest(ctx context.Context, c authCase) *http.Request {
	path := c.path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	target := (&url.URL{Path: path, RawQuery: c.query}).RequestURI()
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil
	}
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	r.URL, r.RequestURI = u, target
	if c.auth != "" {
		r.Header.Set("Authorization", c.auth)
	}
	if c.cookie != "" {
		r.Header.Set("Cookie", CookieName+"="+c.cookie)
	}
	return r
}

func TestHandlerAuth(t *testing.T) {
	h := newAuthServer(t, testToken).Handler()
	for _, c := range authCases() {
		name := c.path + "?" + c.query + " auth=" + c.auth + " cookie=" + c.cookie
		t.Run(name, func(t *testing.T) {
			r := authRequest(t.Context(), c)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			resp := w.Result()
			tok, fromQuery := presentedToken(c.query, c.auth, c.cookie)
			setCookies := resp.Cookies()
			if tok != testToken {
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", resp.StatusCode)
				}
				if got := resp.Header.Values("WWW-Authenticate"); !slices.Equal(got, []string{`Basic realm="pistream"`, `Bearer realm="pistream"`}) {
					t.Errorf("WWW-Authenticate %q, want Basic then Bearer, realm pistream", got)
				}
				body := w.Body.String()
				if tok == "" && !strings.Contains(body, "?token=") {
					t.Errorf("401 without token should tell how to log in: %q", body)
				}
				if tok != "" && !strings.Contains(body, "wrong token") {
					t.Errorf("401 with a wrong token should say so: %q", body)
				}
				if strings.Contains(body, testToken) {
					t.Errorf("401 body leaks the token: %q", body)
				}
				if len(setCookies) != 0 {
					t.Errorf("401 sets cookies %v", setCookies)
				}
				return
			}
			if resp.StatusCode == http.StatusUnauthorized {
				t.Fatalf("status 401 with the right token: %s", w.Body)
			}
			if !fromQuery {
				if len(setCookies) != 0 {
					t.Errorf("token by header or cookie sets cookies %v", setCookies)
				}
				return
			}
			if len(setCookies) != 1 {
				t.Fatalf("token by query: Set-Cookie %q, want one", resp.Header.Values("Set-Cookie"))
			}
			ck := setCookies[0]
			if ck.Name != CookieName || ck.Value != testToken || !ck.HttpOnly ||
				ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure || ck.MaxAge <= 0 {
				t.Errorf("cookie %q, want %s=<token>; Path=/; HttpOnly; SameSite=Strict; Max-Age>0; not Secure over plain HTTP",
					resp.Header.Get("Set-Cookie"), CookieName)
			}
		})
	}
}

// The pages answer what they answer without a token once the token is
// right, and the cookie set from the query works on the next request.
func TestHandlerAuthStatuses(t *testing.T) {
	h := newAuthServer(t, testToken).Handler()
	do := func(target string, edit func(*http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		if edit != nil {
			edit(r)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for target, want := range map[string]int{
		"/?token=" + testToken:                   200,
		"/state?token=" + testToken:              200,
		"/snapshot?token=" + testToken:           503, // the camera never runs
		"/?action=snapshot&token=" + testToken:   503,
		"/?action=nope&token=" + testToken:       404,
		"/nope?token=" + testToken:               404,
		"/nope?token=" + testToken + "&x=%zz;;a": 404, // a bad query still yields the token
	} {
		if w := do(target, nil); w.Code != want {
			t.Errorf("%s: %d, want %d", target, w.Code, want)
		}
	}

	// Log in by URL, then use the cookie alone.
	w := do("/?token="+testToken, nil)
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("no cookie from ?token=")
	}
	w = do("/state", func(r *http.Request) { r.AddCookie(cookies[0]) })
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"source"`) {
		t.Errorf("/state with the cookie: %d %q", w.Code, w.Body)
	}

	// Over TLS the cookie is Secure.
	w = do("/?token="+testToken, func(r *http.Request) { r.TLS = &tls.ConnectionState{} })
	if c := w.Result().Cookies(); len(c) != 1 || !c[0].Secure {
		t.Errorf("cookie over TLS: %q, want Secure", w.Header().Values("Set-Cookie"))
	}

	// /stream without the right token is refused at once.
	for _, target := range []string{"/stream", "/?action=stream", "/stream?token=nope-nope-nope-nope", "/?action=stream&token="} {
		done := make(chan int, 1)
		go func() { done <- do(target, nil).Code }()
		select {
		case code := <-done:
			if code != http.StatusUnauthorized {
				t.Errorf("%s: %d, want 401", target, code)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("%s without a token did not return", target)
		}
	}

	// /stream with the right token streams until the viewer leaves.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/stream", nil)
	r.Header.Set("Authorization", "Bearer "+testToken)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "multipart/x-mixed-replace") {
		t.Errorf("/stream with the token: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
}

// Without a token configured, every path is open.
func TestHandlerNoToken(t *testing.T) {
	h := newAuthServer(t, "").Handler()
	for target, want := range map[string]int{"/": 200, "/state": 200, "/snapshot": 503, "/nope": 404, "/?token=x": 200} {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("%s: %d, want %d", target, w.Code, want)
		}
		if len(w.Result().Cookies()) != 0 {
			t.Errorf("%s: sets cookies without a token configured", target)
		}
	}
}

// MaxViewers turns away the viewer past the cap, after the token check.
func TestMaxViewersAfterToken(t *testing.T) {
	quiet := log.New(io.Discard)
	cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 160, Height: 120, FPS: 30}, Logger: quiet})
	s := New(Config{Camera: cam, Logger: quiet, Token: testToken, MaxViewers: 1})
	s.viewers.Store(1) // one viewer already watching
	r := httptest.NewRequest(http.MethodGet, "/stream?token="+testToken, nil)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("viewer past the cap: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if s.Viewers() != 1 {
		t.Errorf("Viewers() = %d after a refused viewer, want 1", s.Viewers())
	}
	r = httptest.NewRequest(http.MethodGet, "/stream", nil)
	w = httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("viewer without token past the cap: %d, want 401", w.Code)
	}
}

// unclean says whether net/http would redirect p to a cleaned path: pistream
// answers such a path 404 before looking at any token, so that no redirect
// echoes the token (TestNoTokenInRedirects).
func unclean(p string) bool {
	c := pathpkg.Clean(p)
	return c != p && c+"/" != p
}

func FuzzHandlerAuth(f *testing.F) {
	for _, c := range authCases() {
		f.Add(c.path, c.query, c.auth, c.cookie)
	}
	f.Add("/stream", "token="+testToken, "", "")
	f.Add("/", "action=stream", "Bearer "+testToken, "")
	f.Add("/", "action=stream&token=x", "Bearer "+testToken, testToken)
	f.Add("/state", "token=%zz&token="+testToken, "", "")
	f.Add("/state", "a=1;token="+testToken, "", "")
	f.Add("/state", "", "Basic "+testToken, testToken)
	f.Add("/state", "", basic("x", testToken), "")
	f.Add("/state", "", basic("x", testToken), "wrong")
	f.Add("/state", "", basic("x", "wrong"), testToken)
	f.Add("/state", "", "basic "+base64.StdEncoding.EncodeToString([]byte(testToken)), "")
	f.Add("/state", "", "Bearer  "+testToken+"\t ", "")
	f.Add("/state", "", "", `"`+testToken+`"`)
	f.Add("/state", "", "", testToken+"; "+CookieName+"=x")
	f.Add("//state/../state", "", "", testToken)

	h := newAuthServer(f, testToken).Handler()
	// A request whose context is already done makes /stream and /snapshot
	// return at once, so no path can block the fuzzer.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	f.Fuzz(func(t *testing.T, path, query, auth, cookie string) {
		c := authCase{path: path, query: query, auth: auth, cookie: cookie}
		r := authRequest(ctx, c)
		if r == nil {
			t.Skip("not a valid request URI")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		if unclean(r.URL.Path) {
			if w.Code != http.StatusNotFound || len(w.Result().Cookies()) != 0 {
				t.Fatalf("unclean path %q: %d, cookies %q; want 404 and none, token or not", r.URL.Path, w.Code, w.Header().Values("Set-Cookie"))
			}
			return
		}
		tok, fromQuery := presentedToken(query, auth, cookie)
		if tok != testToken {
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("presented %q (not the token), got %d, want 401", tok, w.Code)
			}
			if w.Header().Get("WWW-Authenticate") != `Basic realm="pistream"` {
				t.Errorf("401 with WWW-Authenticate %q, want Basic first", w.Header().Values("WWW-Authenticate"))
			}
			if strings.Contains(w.Body.String(), testToken) {
				t.Errorf("401 body leaks the token")
			}
			return
		}
		if w.Code == http.StatusUnauthorized {
			t.Fatalf("presented the token, got 401: %s", w.Body)
		}
		cookies := w.Result().Cookies()
		if fromQuery {
			if len(cookies) != 1 || cookies[0].Name != CookieName || cookies[0].Value != testToken {
				t.Errorf("token by query: Set-Cookie %q", w.Header().Values("Set-Cookie"))
			}
		} else if len(cookies) != 0 {
			t.Errorf("token by header or cookie: Set-Cookie %q", w.Header().Values("Set-Cookie"))
		}
	})
}

func FuzzValidToken(f *testing.F) {
	for _, s := range []string{
		"", "short", strings.Repeat("a", 15), strings.Repeat("a", 16), strings.Repeat("a", 256),
		strings.Repeat("a", 257), testToken, "abcdefgh ijklmnop", "abcdefghijklmnop\n",
		"abcdefghijklmnopé", "abcdefghijklmnop\xff", "éééééééé", "0123456789abcdef0123456789abcdef",
	} {
		f.Add(s)
	}
	allowed := func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
	}
	f.Fuzz(func(t *testing.T, tok string) {
		want := len(tok) >= 16 && len(tok) <= 256
		for i := 0; want && i < len(tok); i++ {
			want = allowed(tok[i])
		}
		err := ValidToken(tok)
		if (err == nil) != want {
			t.Fatalf("ValidToken(%q) = %v, want ok=%v", tok, err, want)
		}
		if err != nil {
			return
		}
		// An accepted token travels unchanged in a URL, a header and a cookie.
		if url.QueryEscape(tok) != tok || url.PathEscape(tok) != tok {
			t.Errorf("token %q needs escaping in a URL", tok)
		}
		for _, edit := range []func(*http.Request){
			func(r *http.Request) { r.URL.RawQuery = "token=" + tok },
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) },
			func(r *http.Request) { r.SetBasicAuth("x", tok) },
			func(r *http.Request) { r.AddCookie(&http.Cookie{Name: CookieName, Value: tok}) },
		} {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			edit(r)
			if got, _ := tokenFrom(r, tok); got != tok {
				t.Errorf("token %q came back as %q", tok, got)
			}
		}
		w := httptest.NewRecorder()
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: tok})
		if c := w.Result().Cookies(); len(c) != 1 || c[0].Value != tok {
			t.Errorf("token %q does not survive Set-Cookie: %q", tok, w.Header().Values("Set-Cookie"))
		}
	})
}

// A path net/http would clean with a redirect (//state) is not found,
// rather than redirected with the token echoed in Location; every answer
// says no-referrer.
func TestNoTokenInRedirects(t *testing.T) {
	cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 160, Height: 120, FPS: 30}})
	const tok = "0123456789abcdef0123"
	h := New(Config{Camera: cam, Token: tok}).Handler()
	for _, target := range []string{"//state?token=" + tok, "/./state?token=" + tok, "/x/../state?token=" + tok} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if loc := rec.Header().Get("Location"); strings.Contains(loc, tok) || rec.Code/100 == 3 {
			t.Errorf("GET %s: %d, Location %q: the token is echoed in a redirect", target, rec.Code, loc)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/state?token="+tok, nil))
	if rec.Code != 200 || rec.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("GET /state: %d, Referrer-Policy %q; want 200, no-referrer", rec.Code, rec.Header().Get("Referrer-Policy"))
	}
}

// Wrong tokens from one address, by Bearer or as a Basic password: after
// the limit it gets 429 for the rest of the minute (logged once); another
// address with the right token is served as before; a minute later the
// first may try again.
func TestWrongTokensBackOff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		present func(r *http.Request, tok string)
	}{
		{"bearer", func(r *http.Request, tok string) { r.Header.Set("Authorization", "Bearer "+tok) }},
		{"basic", func(r *http.Request, tok string) { r.SetBasicAuth("x", tok) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 160, Height: 120, FPS: 30}})
			var logged strings.Builder
			s := New(Config{Camera: cam, Token: testToken, GuessLimit: 5, Logger: log.New(&logged), SnapshotWait: 10 * time.Millisecond})
			now := time.Now()
			s.guesses.now = func() time.Time { return now }
			h := s.Handler()
			get := func(addr, tok string) int {
				r := httptest.NewRequest("GET", "/state", nil)
				r.RemoteAddr = addr
				tc.present(r, tok)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				return rec.Code
			}
			for i := range 5 {
				if c := get("192.0.2.7:1000", "wrong-token-0123456789"); c != 401 {
					t.Fatalf("wrong token %d: %d, want 401", i+1, c)
				}
			}
			if c := get("192.0.2.7:1001", testToken); c != http.StatusTooManyRequests {
				t.Errorf("after 5 wrong tokens, the same address got %d, want 429", c)
			}
			if c := get("192.0.2.8:1000", testToken); c != 200 {
				t.Errorf("another address with the right token got %d, want 200", c)
			}
			if n := strings.Count(logged.String(), "too many wrong tokens"); n != 1 {
				t.Errorf("logged %d times, want once:\n%s", n, logged.String())
			}
			now = now.Add(guessWindow)
			if c := get("192.0.2.7:1002", testToken); c != 200 {
				t.Errorf("a minute later the address got %d, want 200", c)
			}
		})
	}
}

// A browser opening a page with ?token= it will send the cookie with is
// sent to the same URL without the token (with the cookie set); anything
// else is answered in place: a program, an <img>, a link from another
// site (whose redirect would come without the SameSite=Strict cookie).
func TestCleanURLAfterToken(t *testing.T) {
	h := newAuthServer(t, testToken).Handler()
	for _, tc := range []struct {
		name, target, dest, site string
		location                 string // "" : answered in place
	}{
		{"typed", "/?token=" + testToken, "document", "none", "/"},
		{"from the page", "/state?x=1&token=" + testToken, "document", "same-origin", "/state?x=1"},
		{"mjpg-streamer alias", "/?action=snapshot&token=" + testToken, "document", "none", "/?action=snapshot"},
		{"link from another site", "/?token=" + testToken, "document", "cross-site", ""},
		{"an img", "/snapshot?token=" + testToken, "image", "same-origin", ""},
		{"a program", "/state?token=" + testToken, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tc.target, nil)
			if tc.dest != "" {
				req.Header.Set("Sec-Fetch-Dest", tc.dest)
				req.Header.Set("Sec-Fetch-Site", tc.site)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if !strings.Contains(rec.Header().Get("Set-Cookie"), CookieName+"="+testToken) {
				t.Errorf("no cookie set: %q", rec.Header().Get("Set-Cookie"))
			}
			loc := rec.Header().Get("Location")
			switch {
			case tc.location == "" && (rec.Code/100 == 3 || loc != ""):
				t.Errorf("%d to %q, want an answer in place", rec.Code, loc)
			case tc.location != "" && (rec.Code != http.StatusSeeOther || loc != tc.location):
				t.Errorf("%d to %q, want 303 to %q", rec.Code, loc, tc.location)
			}
		})
	}
}

// Without the token a browser opening a page gets a page with a field for
// it (the Basic challenge still first); anything else the plain message.
func TestUnauthorizedPage(t *testing.T) {
	h := newAuthServer(t, testToken).Handler()
	for _, tc := range []struct {
		name   string
		header []string
		page   bool
	}{
		{"navigation", []string{"Sec-Fetch-Dest", "document", "Accept", "text/html"}, true},
		{"old browser", []string{"Accept", "text/html,application/xhtml+xml"}, true},
		{"img", []string{"Sec-Fetch-Dest", "image", "Accept", "image/*,text/html"}, false},
		{"curl", []string{"Accept", "*/*"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/photos", nil)
			for i := 0; i+1 < len(tc.header); i += 2 {
				req.Header.Set(tc.header[i], tc.header[i+1])
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 401 || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Basic") {
				t.Fatalf("%d, WWW-Authenticate %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
			}
			form := strings.Contains(rec.Body.String(), `name="token" type="password"`)
			if form != tc.page || strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") != tc.page {
				t.Errorf("Content-Type %q, token field %v; want a page: %v", rec.Header().Get("Content-Type"), form, tc.page)
			}
		})
	}
}
