package album

// Changed returns a channel that is closed when the album changes: through
// Save, Delete or Undo of this Album (at once), or by another program
// adding, changing or removing photos (about 100 ms later, bursts
// gathered). Take the channel before calling List, and once it is closed,
// take the next one. Close closes the current channel; after Close,
// Changed returns nil (see package pistream/internal/dirwatch).
func (a *Album) Changed() <-chan struct{} {
	return a.watch.Changed()
}

// isPhotoName reports whether a change to the file name in the photo
// directory may change what List returns: a valid photo name (so not temp
// files or the trash).
func isPhotoName(name string) bool {
	return ValidName(name) == nil
}
