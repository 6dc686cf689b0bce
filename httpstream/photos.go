package httpstream

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"pistream/album"
	"pistream/album/thumbs"
	"pistream/internal/bytesize"
	"pistream/internal/shoot"
	"pistream/internal/termtext"
)

// The album in the browser: /photos lists the photos with thumbnails and
// the trash; a photo, its thumbnail and the changes are below it; taking,
// deleting and restoring are POSTs (protected from other sites by
// http.CrossOriginProtection in Handler).
func (s *Server) handlePhotos() {
	s.thumbs = thumbs.New(thumbCacheBytes, 2)
	s.mux.HandleFunc("GET /photos", s.servePhotos)
	s.mux.HandleFunc("POST /photos", s.takePhoto)
	s.mux.HandleFunc("GET /photos/events", s.servePhotoEvents)
	s.mux.HandleFunc("GET /photos/{name}", s.servePhoto)
	s.mux.HandleFunc("GET /photos/{name}/thumb", s.serveThumb)
	s.mux.HandleFunc("POST /photos/{name}/delete", s.deletePhoto)
	s.mux.HandleFunc("POST /photos/undo", s.undoDelete)
	s.mux.HandleFunc("POST /trash/{trash}/restore", s.restorePhoto)
}

// thumbCacheBytes bounds the thumbnails kept in memory: about 600 of
// 320×240 at quality 75.
const thumbCacheBytes = 8 << 20

//go:embed photos.html
var photosHTML string

var photosPage = template.Must(template.New("photos").Parse(photosHTML))

// photoView is one photo as the page shows it.
type photoView struct {
	Name          string // sanitised, for display
	URL, Thumb    string // relative to /photos
	Delete        string
	When, Size    string
	Width, Height int
	ThumbW        int
	ThumbH        int
}

// trashView is one deleted photo as the page shows it.
type trashView struct {
	Name, When, Size, Restore string
}

// photosData is what photos.html renders.
type photosData struct {
	Photos  []photoView
	Trash   []trashView
	Dir     string
	Notice  string // what was just done
	Undo    bool   // offer to undo the delete just done
	Error   string
	Version string // changes when the list does, for the page's refresh
}

// servePhotos renders the album page; ?deleted=, ?restored= and ?saved=
// name what was just done.
func (s *Server) servePhotos(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := photosData{}
	switch {
	case q.Has("deleted"):
		d.Notice, d.Undo = "Moved "+termtext.SanitizeName(q.Get("deleted"))+" to the trash.", true
	case q.Has("restored"):
		d.Notice = "Restored " + termtext.SanitizeName(q.Get("restored")) + "."
	}
	s.renderPhotos(w, r, http.StatusOK, d)
}

// renderPhotos puts the album's listing, from its index, and the trash
// into d and renders the page with status. The listing includes every
// change pistream made before the request (the delete or restore just
// done); a photo copied in by another program shows once the index has
// listed it, and the page's events then have it load again.
func (s *Server) renderPhotos(w http.ResponseWriter, r *http.Request, status int, d photosData) {
	d.Dir = termtext.SanitizeName(s.album.Dir())
	snap, err := s.index.Fresh(r.Context())
	if err == nil {
		err = snap.Err
	}
	if err != nil {
		d.Error = joinErr(d.Error, err)
	}
	keep := make(map[thumbs.Key]bool, len(snap.Photos))
	for _, p := range snap.Photos {
		v := version(p)
		keep[thumbs.Key{Name: p.Name, Version: v}] = true
		esc := "photos/" + url.PathEscape(p.Name)
		tw, th := thumbFit(p.Width, p.Height)
		d.Photos = append(d.Photos, photoView{
			Name: termtext.SanitizeName(p.Name), URL: esc, Thumb: esc + "/thumb?v=" + v, Delete: esc + "/delete",
			When: p.ModTime.Local().Format("2006-01-02 15:04:05"), Size: bytesize.Format(p.Size),
			Width: p.Width, Height: p.Height, ThumbW: tw, ThumbH: th,
		})
	}
	// Thumbnails of photos gone, by whatever means, go too.
	s.thumbs.Retain(func(k thumbs.Key) bool { return keep[k] })
	trash, err := s.album.Trash()
	if err != nil {
		d.Error = joinErr(d.Error, err)
	}
	for _, t := range trash {
		d.Trash = append(d.Trash, trashView{
			Name: termtext.SanitizeName(t.Name), When: t.Deleted.Local().Format("2006-01-02 15:04:05"),
			Size: bytesize.Format(t.Size), Restore: "trash/" + url.PathEscape(t.Trash) + "/restore",
		})
	}
	var buf bytes.Buffer
	if err := photosPage.Execute(&buf, d); err != nil {
		s.log.Error("photos page", "err", err)
		http.Error(w, "the photos page failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	noCache(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// joinErr adds err's message, sanitised, to msg.
func joinErr(msg string, err error) string {
	if msg != "" {
		msg += "; "
	}
	return msg + termtext.SanitizeName(err.Error())
}

// version identifies one version of a photo's content.
func version(p album.Photo) string {
	return strconv.FormatInt(p.Size, 10) + "-" + strconv.FormatInt(p.ModTime.UnixNano(), 10)
}

// thumbFit is the size of a w×h photo's thumbnail (a guess when the
// size is unknown), so the page keeps its layout while thumbnails load.
func thumbFit(w, h int) (int, int) {
	if w <= 0 || h <= 0 {
		return thumbs.Size, thumbs.Size * 3 / 4
	}
	return thumbs.Fit(w, h)
}

// servePhoto answers a photo's exact bytes; with ?download, as an
// attachment under its own name.
func (s *Server) servePhoto(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	data, err := s.album.Read(name)
	if err != nil {
		s.photoError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Has("download") {
		h.Set("Content-Disposition", attachment(name))
	}
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.FrameWriteTimeout + time.Duration(len(data)>>16)*time.Second))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// attachment is the Content-Disposition of a download of the photo name:
// its name as UTF-8 (RFC 6266), and an ASCII fallback for old clients.
func attachment(name string) string {
	fallback := []rune{}
	for _, c := range name {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '%' {
			c = '_'
		}
		fallback = append(fallback, c)
	}
	cd := `attachment; filename="` + string(fallback) + `"`
	return cd + "; filename*=UTF-8''" + extValue(name)
}

// extValue percent-encodes every byte of s but RFC 8187's attr-char.
func extValue(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// photoError answers the failure of an album call about one photo.
func (s *Server) photoError(w http.ResponseWriter, err error) {
	http.Error(w, termtext.SanitizeName(err.Error()), albumStatus(err))
}

// albumStatus is the HTTP status of an album call's error.
func albumStatus(err error) int {
	switch {
	case errors.Is(err, album.ErrInvalidName), errors.Is(err, fs.ErrNotExist), errors.Is(err, album.ErrNothingToUndo):
		return http.StatusNotFound
	case errors.Is(err, fs.ErrExist):
		return http.StatusConflict
	case errors.Is(err, album.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// serveThumb answers a photo's thumbnail, made once per version (?v=).
func (s *Server) serveThumb(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	v := r.URL.Query().Get("v")
	data, err := s.thumbs.Get(thumbs.Key{Name: name, Version: v}, func() ([]byte, error) { return s.album.Read(name) })
	if err != nil {
		s.photoError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("X-Content-Type-Options", "nosniff")
	if v != "" { // a new version has a new URL
		h.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.FrameWriteTimeout))
	w.Write(data)
}

// tookPhoto is the answer to POST /photos.
type tookPhoto struct {
	Name  string `json:"name,omitempty"` // as saved; may hold any byte but '/'
	URL   string `json:"url,omitempty"`  // relative to /
	Size  int64  `json:"size,omitempty"`
	Error string `json:"error,omitempty"`
}

// takePhoto saves a full-quality photo into the album, the way the TUI's
// s key does, and answers its name as JSON (201), or why not (503).
func (s *Server) takePhoto(w http.ResponseWriter, r *http.Request) {
	p, err := shoot.Take(s.cam, s.album, s.log)
	w.Header().Set("Content-Type", "application/json")
	noCache(w.Header())
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(tookPhoto{Error: termtext.SanitizeName(err.Error())})
		return
	}
	w.Header().Set("Location", "photos/"+url.PathEscape(p.Name))
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(tookPhoto{Name: p.Name, URL: "photos/" + url.PathEscape(p.Name), Size: p.Size})
}

// deletePhoto moves a photo to the trash, as the TUI's d does, and goes
// back to the album, which offers to undo it.
func (s *Server) deletePhoto(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.album.Delete(name); err != nil {
		s.postFailed(w, r, err)
		return
	}
	s.thumbs.Forget(name)
	s.log.Info("photo deleted from the page", "photo", termtext.SanitizeName(name), "remote", host(r.RemoteAddr))
	http.Redirect(w, r, "../../photos?deleted="+url.QueryEscape(name), http.StatusSeeOther)
}

// undoDelete undoes the last delete of any session or page, as the TUI's
// u does.
func (s *Server) undoDelete(w http.ResponseWriter, r *http.Request) {
	name, err := s.album.Undo()
	if err != nil {
		s.postFailed(w, r, err)
		return
	}
	s.log.Info("photo restored from the page", "photo", termtext.SanitizeName(name), "remote", host(r.RemoteAddr))
	http.Redirect(w, r, "../photos?restored="+url.QueryEscape(name), http.StatusSeeOther)
}

// restorePhoto brings one photo back from the trash.
func (s *Server) restorePhoto(w http.ResponseWriter, r *http.Request) {
	name, err := s.album.Restore(r.PathValue("trash"))
	if err != nil {
		s.postFailed(w, r, err)
		return
	}
	s.log.Info("photo restored from the page", "photo", termtext.SanitizeName(name), "remote", host(r.RemoteAddr))
	http.Redirect(w, r, "../../photos?restored="+url.QueryEscape(name), http.StatusSeeOther)
}

// postFailed answers a delete or restore that failed with the album page
// saying why, losing nothing.
func (s *Server) postFailed(w http.ResponseWriter, r *http.Request, err error) {
	s.renderPhotos(w, r, albumStatus(err), photosData{Error: joinErr("", err)})
}

// servePhotoEvents tells the page of every new listing of the album by its
// index, as server-sent events ("data: changed"), until the page goes or
// the server stops; a comment every 25 s finds a page that went without a
// word. The page loads again then, and finds the listing that woke it.
func (s *Server) servePhotoEvents(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	noCache(h)
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	rc := http.NewResponseController(w)
	send := func(msg string) error {
		rc.SetWriteDeadline(time.Now().Add(s.cfg.FrameWriteTimeout))
		if _, err := io.WriteString(w, msg); err != nil {
			return err
		}
		return rc.Flush()
	}
	w.WriteHeader(http.StatusOK)
	if send("retry: 2000\n\n") != nil {
		return
	}
	tick := time.NewTicker(25 * time.Second)
	defer tick.Stop()
	for {
		ch := s.index.Snapshot().Changed
		if ch == nil {
			return // the index has stopped
		}
		var err error
		select {
		case <-ch:
			err = send("data: changed\n\n")
		case <-tick.C:
			err = send(": still here\n\n")
		case <-r.Context().Done():
			return
		}
		if err != nil {
			return
		}
	}
}
