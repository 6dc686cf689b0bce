//go:build !linux

package album

// lowerThreadPriority does nothing here: photos are written at the
// priority of the rest of pistream.
func lowerThreadPriority(int) error { return nil }
