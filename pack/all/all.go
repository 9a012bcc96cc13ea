// Package all registers every package format kiln writes, for the
// programs (the CLI, the in-graph pack step, the compiler) that offer them all.
package all

import (
	_ "github.com/kiln-build/kiln/pack/ipk"    // opkg .ipk
	_ "github.com/kiln-build/kiln/pack/spk"    // Synology .spk
	_ "github.com/kiln-build/kiln/pack/syspkg" // syspkg payload .zip
)
