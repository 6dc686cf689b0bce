//go:build !unix

package regularfile

import "os"

// openFlags opens files read-only.
const openFlags = os.O_RDONLY
