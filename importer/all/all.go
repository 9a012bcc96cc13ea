// Package all registers every importer (imported for its side effect).
package all

import (
	_ "github.com/kiln-build/kiln/importer/spk"      // kiln import spk
	_ "github.com/kiln-build/kiln/importer/spksrc"   // kiln import spksrc
	_ "github.com/kiln-build/kiln/importer/synology" // kiln import synology
	_ "github.com/kiln-build/kiln/importer/syspkg"   // kiln import syspkg
	_ "github.com/kiln-build/kiln/importer/toltec"   // kiln import toltec
)
