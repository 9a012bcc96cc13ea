// gohello prints a Go proverb and a name-based UUID, each from a module
// the build fetches with kiln's gomod generator.
package main

import (
	"fmt"

	"github.com/google/uuid"
	"rsc.io/quote/v4"
)

func main() {
	fmt.Println(quote.Go())
	fmt.Println(uuid.NewSHA1(uuid.NameSpaceURL, []byte("kiln")).String())
}
