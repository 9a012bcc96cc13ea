package toolchains

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable lists the set's targets as `kiln targets` shows them: a row
// each, with where it was defined.
func (s *Set) WriteTable(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TARGET\tTRIPLET\tPLATFORM\tTOOLCHAIN\tSUITE\tIPK ARCH\tWHERE\tDESCRIPTION")
	for _, n := range s.Names() {
		t, err := s.Lookup(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Triplet, t.Platform, t.kind(), t.Suite, t.Formats["ipk"].Arch, s.Origin(n), t.Description)
	}
	return w.Flush()
}
