//go:build !unix

package notes

import "os"

// openFlags opens notes read-only.
const openFlags = os.O_RDONLY
