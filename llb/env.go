package llb

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kiln-build/kiln/schema"
	"github.com/moby/buildkit/client/llb"
)

// DefaultEnvPriority orders a package's profile.d script among others when
// the recipe gives no priority.
const DefaultEnvPriority = 50

// EnvScript is the install environment of r as a POSIX shell script for
// /etc/profile.d, and its file name there ("" when r has none). $VAR and
// ${VAR} in a value expand at login, as in any profile; nothing else does
// (no $(command), `command` or $((arithmetic))).
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
			// The separator only between an existing value and the new one.
			n := op.Append
			fmt.Fprintf(&b, "[ -z \"${%s:-}\" ] || %s=\"$%s\"\"%s\"\n", n, n, n, escape(sep))
			fmt.Fprintf(&b, "export %s=\"$%s\"%s\n", n, n, dquote(op.Value))
		case op.Prepend != "":
			n := op.Prepend
			fmt.Fprintf(&b, "[ -z \"${%s:-}\" ] || %s=\"%s\"\"$%s\"\n", n, n, escape(sep), n)
			fmt.Fprintf(&b, "export %s=%s\"$%s\"\n", n, dquote(op.Value), n)
		default:
			prio = op.Priority
		}
	}
	return fmt.Sprintf("%02d-kiln-%s.sh", prio, r.Name), []byte(b.String())
}

func dquote(s string) string { return `"` + escapeVars(s) + `"` }

// varRef matches the expansions a value keeps: $NAME and ${NAME}.
var varRef = regexp.MustCompile(`\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})`)

// escapeVars makes s literal inside double quotes except for its $NAME and
// ${NAME}, which stay expansions.
func escapeVars(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range varRef.FindAllStringIndex(s, -1) {
		b.WriteString(escape(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(escape(s[last:]))
	return b.String()
}

// escape makes s literal inside double quotes.
func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`).Replace(s)
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
