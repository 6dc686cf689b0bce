package httpstream

import (
	"fmt"
	"sync"

	"pistream/httpstream/nosignal"
)

// noSignal keeps the newest NO SIGNAL picture, drawn again only when the
// camera's size, state or error changes.
type noSignal struct {
	mu   sync.Mutex
	key  string
	jpeg []byte
}

// noSignal returns the NO SIGNAL picture for the camera's state now: its
// size (640x480 before it had one), its state and its last error.
func (s *Server) noSignal() ([]byte, error) {
	st := s.cam.Status()
	w, h := st.Width, st.Height
	if w < 16 || h < 16 {
		w, h = 640, 480
	}
	lines := []string{"camera is " + string(st.State)}
	if st.Err != "" {
		lines = append(lines, st.Err)
	}
	key := fmt.Sprintf("%dx%d\x00%s\x00%s", w, h, st.State, st.Err)
	n := &s.nosig
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.key == key && n.jpeg != nil {
		return n.jpeg, nil
	}
	jpeg, err := nosignal.JPEG(w, h, lines...)
	if err != nil {
		return nil, err
	}
	n.key, n.jpeg = key, jpeg
	return jpeg, nil
}
