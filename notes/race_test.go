//go:build race

package notes

// The race detector slows rendering about tenfold.
func init() { timeScale = 10 }
