package llb

import (
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/schema"
	"github.com/moby/buildkit/client/llb"
)

// DefaultEnvPriority orders a package's profile.d script among others when
// the recipe gives no priority.
const DefaultEnvPriority = 50

// EnvScript is the install environment of r as a POSIX shell script for
// /etc/profile.d, and its file name there ("" when r has none). Values are
// double-quoted, so $VAR in a value expands at login, as in any profile.
func EnvScript(r *schema.Recipe) (name string, body []byte) {
	if len(r.Env) == 0 {
		return "", nil
	}
	prio := DefaultEnvPriority
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by kiln: the install environment of %s.\n", r.Name)
	for _, op := range r.Env {
		sep := op.Separator
		if sep == "" {
			sep = ":"
		}
		switch {
		case op.Comment != "":
			for _, line := range strings.Split(op.Comment, "\n") {
				fmt.Fprintf(&b, "# %s\n", line)
			}
		case op.Set != "":
			fmt.Fprintf(&b, "export %s=%s\n", op.Set, dquote(op.Value))
		case op.Append != "":
			fmt.Fprintf(&b, "export %s=\"${%s:+$%s%s}\"%s\n", op.Append, op.Append, op.Append, escape(sep), dquote(op.Value))
		case op.Prepend != "":
			fmt.Fprintf(&b, "export %s=%s\"${%s:+%s$%s}\"\n", op.Prepend, dquote(op.Value), op.Prepend, escape(sep), op.Prepend)
		default:
			prio = op.Priority
		}
	}
	return fmt.Sprintf("%02d-kiln-%s.sh", prio, r.Name), []byte(b.String())
}

func dquote(s string) string { return `"` + escape(s) + `"` }

// escape makes s literal inside double quotes except for $ expansions.
func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`").Replace(s)
}

// withEnv adds the recipe's profile.d script to its main package (the one
// named after the recipe, else the first) in the split tree.
func (c *compiler) withEnv(split llb.State, ran bool) (llb.State, bool) {
	name, body := EnvScript(c.r)
	if name == "" {
		return split, ran
	}
	names := c.packageNames()
	if !ran {
		split = llb.Scratch()
		for _, n := range names {
			split = split.File(llb.Mkdir("/"+n, 0o755), c.name("package %s", n))
		}
	}
	main := names[0]
	for _, n := range names {
		if n == c.r.Name {
			main = n
		}
	}
	dir := "/" + main + "/etc/profile.d"
	split = split.File(llb.Mkdir(dir, 0o755, llb.WithParents(true)).
		Mkfile(dir+"/"+name, 0o644, body), c.name("install environment %s", name))
	return split, true
}
