package httpstream

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image"
	"image/jpeg"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pistream/album"
	"pistream/album/index/indextest"
	"pistream/camera"
	"pistream/internal/termtext"
)

// serveAlbum starts a test camera, an album in a temporary directory and
// a server with both; all stop when the test ends.
func serveAlbum(t *testing.T) (*httptest.Server, *Server, *album.Album) {
	t.Helper()
	a, err := album.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cam := camera.New(camera.Config{Spec: "test", Settings: camera.Settings{Width: 640, Height: 480, FPS: 30}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); cam.Run(ctx) }()
	s := New(Config{Camera: cam, Album: a, AlbumIndex: indextest.Start(t, a), FrameWriteTimeout: time.Second})
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	ts.Start()
	t.Cleanup(func() {
		cancel()
		ts.Close()
		<-done
		a.Close()
	})
	return ts, s, a
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func post(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// POST /photos takes a full-quality photo into the album and names it.
func TestTakePhoto(t *testing.T) {
	ts, _, a := serveAlbum(t)
	resp := post(t, ts.URL+"/photos")
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /photos: %d %s", resp.StatusCode, body(t, resp))
	}
	var took tookPhoto
	if err := json.NewDecoder(resp.Body).Decode(&took); err != nil {
		t.Fatal(err)
	}
	photos, err := a.List()
	if err != nil || len(photos) != 1 || photos[0].Name != took.Name || photos[0].Width != 640 {
		t.Fatalf("album %+v (%v); the answer says %+v", photos, err, took)
	}
	if took.URL != "photos/"+url.PathEscape(took.Name) {
		t.Errorf("url %q", took.URL)
	}
}

// Names that could break out of HTML are shown escaped, and their links
// lead to the photo's exact bytes, downloaded under its own name.
func TestHostileNamesOnThePage(t *testing.T) {
	ts, s, a := serveAlbum(t)
	photo := testPhoto(t)
	names := []string{
		`<script>alert("x")'q'.jpg`,
		`"><img src=x onerror=alert(1)>.jpg`,
		`a&amp;b #1 ?x=1 %41.jpg`,
		"\x1b]0;owned\x07\u202egpj.jpg",
		"caf\xe9 \xff.jpg",
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(a.Dir(), n), photo, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	indextest.AwaitCurrent(t, s.index, a)
	page := body(t, get(t, ts.URL+"/photos"))
	hrefs := regexp.MustCompile(`<a href="(photos/[^"]*)\?download"`).FindAllStringSubmatch(page, -1)
	if len(hrefs) != len(names) {
		t.Fatalf("%d download links for %d photos", len(hrefs), len(names))
	}
	shown := map[string]bool{}
	for _, m := range regexp.MustCompile(`<span class="name">([^<]*)</span>`).FindAllStringSubmatch(page, -1) {
		shown[html.UnescapeString(m[1])] = true
	}
	for _, n := range names {
		if want := termtext.SanitizeName(n); !shown[want] {
			t.Errorf("%q is not shown as the text %q; the page shows %v", n, want, shown)
		}
	}
	for _, bad := range []string{"<script>alert", "<img src=x", "\x1b", "\u202e"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q raw", bad)
		}
	}
	for _, h := range hrefs {
		u := ts.URL + "/" + html.UnescapeString(h[1]) // as a browser reads the attribute
		resp := get(t, u+"?download")
		got := []byte(body(t, resp))
		if resp.StatusCode != 200 || !bytes.Equal(got, photo) {
			t.Errorf("%s: %d, %d bytes; want the photo's %d", h[1], resp.StatusCode, len(got), len(photo))
			continue
		}
		_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		if err != nil {
			t.Errorf("%s: Content-Disposition %q: %v", h[1], resp.Header.Get("Content-Disposition"), err)
			continue
		}
		name, _ := url.PathUnescape(strings.TrimPrefix(html.UnescapeString(h[1]), "photos/"))
		if params["filename"] != name && !strings.ContainsRune(name, 0xfffd) {
			t.Errorf("%s: downloads as %q, want %q", h[1], params["filename"], name)
		}
	}
}

func testPhoto(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Deleting from the page moves the photo to the trash, and the page offers
// it back: undo and restore work; bad names are refused and lose nothing.
func TestDeleteRestoreFromThePage(t *testing.T) {
	ts, s, a := serveAlbum(t)
	photo := testPhoto(t)
	for _, n := range []string{"one.jpg", "two.jpg"} {
		os.WriteFile(filepath.Join(a.Dir(), n), photo, 0o644)
	}
	indextest.AwaitCurrent(t, s.index, a)
	for _, tc := range []struct {
		path     string
		status   int
		location string
		left     int // photos left in the album
	}{
		{"/photos/nope.jpg/delete", 404, "", 2},
		{"/photos/.hidden.jpg/delete", 404, "", 2},
		{"/photos/one.jpg/delete", 303, "/photos?deleted=one.jpg", 1},
		{"/photos/two.jpg/delete", 303, "/photos?deleted=two.jpg", 0},
		{"/photos/undo", 303, "/photos?restored=two.jpg", 1},
		{"/trash/nothing.jpg/restore", 404, "", 1},
	} {
		resp := post(t, ts.URL+tc.path)
		if resp.StatusCode != tc.status || resp.Header.Get("Location") != tc.location {
			t.Errorf("POST %s: %d to %q, want %d to %q", tc.path, resp.StatusCode, resp.Header.Get("Location"), tc.status, tc.location)
		}
		if photos, _ := a.List(); len(photos) != tc.left {
			t.Errorf("after POST %s: %d photos, want %d", tc.path, len(photos), tc.left)
		}
		// The page it leads to shows the change at once, though it shows
		// the album's shared listing.
		if shown := strings.Count(body(t, get(t, ts.URL+"/photos")), "?download\""); shown != tc.left {
			t.Errorf("after POST %s the page shows %d photos, want %d", tc.path, shown, tc.left)
		}
	}
	page := body(t, get(t, ts.URL+"/photos"))
	m := regexp.MustCompile(`action="(trash/[^"]+/restore)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the trash offers no restore:\n%s", page)
	}
	if resp := post(t, ts.URL+"/"+m[1]); resp.StatusCode != 303 || resp.Header.Get("Location") != "/photos?restored=one.jpg" {
		t.Errorf("restore: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, err := os.ReadFile(filepath.Join(a.Dir(), "one.jpg")); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("the restored photo differs: %v", err)
	}
}

// A POST from another site's page is refused, whatever it would do.
func TestPhotoPostsFromOtherSites(t *testing.T) {
	ts, _, a := serveAlbum(t)
	os.WriteFile(filepath.Join(a.Dir(), "one.jpg"), testPhoto(t), 0o644)
	for _, tc := range []struct {
		name   string
		header []string
		status int
	}{
		{"cross-site fetch", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"same-site, other origin", []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"other Origin, no Sec-Fetch-Site", []string{"Origin", "http://evil.example"}, 403},
		{"same origin", []string{"Sec-Fetch-Site", "same-origin"}, 303},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/photos", "/photos/undo", "/trash/x.jpg/restore"} {
				if resp := post(t, ts.URL+path, tc.header...); tc.status == 403 && resp.StatusCode != 403 {
					t.Errorf("POST %s: %d, want 403", path, resp.StatusCode)
				}
			}
			resp := post(t, ts.URL+"/photos/one.jpg/delete", tc.header...)
			if resp.StatusCode != tc.status {
				t.Errorf("delete: %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}

// A thumbnail is a small JPEG, made once however often it is asked for.
func TestThumbnail(t *testing.T) {
	ts, s, a := serveAlbum(t)
	os.WriteFile(filepath.Join(a.Dir(), "one.jpg"), testPhoto(t), 0o644)
	indextest.AwaitCurrent(t, s.index, a)
	page := body(t, get(t, ts.URL+"/photos"))
	m := regexp.MustCompile(`src="(photos/one.jpg/thumb\?v=[0-9-]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no thumbnail on the page:\n%s", page)
	}
	for range 3 {
		resp := get(t, ts.URL+"/"+m[1])
		cfg, err := jpeg.DecodeConfig(resp.Body)
		resp.Body.Close()
		if err != nil || cfg.Width != 320 || cfg.Height != 240 {
			t.Fatalf("thumbnail %dx%d: %v", cfg.Width, cfg.Height, err)
		}
	}
	if made, kept, _ := s.thumbs.Stats(); made != 1 || kept != 1 {
		t.Errorf("made %d thumbnails, kept %d; want 1, 1", made, kept)
	}
	post(t, ts.URL+"/photos/one.jpg/delete")
	if _, kept, _ := s.thumbs.Stats(); kept != 0 {
		t.Errorf("a deleted photo's thumbnail is kept")
	}
}

// /photos/events says "changed" when a photo is added from outside.
func TestPhotoEvents(t *testing.T) {
	ts, _, a := serveAlbum(t)
	resp := get(t, ts.URL+"/photos/events")
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		buf := make([]byte, 256)
		for {
			n, err := resp.Body.Read(buf)
			if n > 0 {
				lines <- string(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	if first := <-lines; !strings.HasPrefix(first, "retry:") {
		t.Fatalf("first event %q", first)
	}
	os.WriteFile(filepath.Join(a.Dir(), "new.jpg"), testPhoto(t), 0o644)
	select {
	case ev := <-lines:
		if ev != "data: changed\n\n" {
			t.Errorf("event %q", ev)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no event within 30 s of a new photo")
	}
}
