package toltec

import (
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
)

// kilnEnv are the variables kiln's build steps set themselves.
var kilnEnv = []string{"srcdir", "pkgdir", "pkgname", "pkgver"}

// rm2fbPatch is Toltec's patch_rm2fb flag, run where Toltec runs it:
// after build(), on $srcdir, before package() copies from it. It patches
// only what Toltec's hook patches: ARM ELF files that are dynamically
// linked, not stripped, and name /dev/fb0 in their read-only data, which
// load rm2fb's client library from then on; their modification times are
// kept, so package()'s make install rebuilds nothing. No pipes: under
// pipefail a grep -q ending a pipe early would fail it.
const rm2fbPatch = `# Toltec's patch_rm2fb flag (after build(), before package()).
_kiln_patch_rm2fb() {
    local f h s ro ref
    ref=$(mktemp)
    while IFS= read -r -d '' f; do
        h=$("${CROSS_COMPILE:-}readelf" -h "$f" 2>/dev/null) || continue
        [[ $h =~ Machine:[[:space:]]+ARM ]] || continue
        s=$("${CROSS_COMPILE:-}readelf" -S -W "$f" 2>/dev/null) || continue
        [[ $s == *" .symtab "* && $s == *" .dynamic "* ]] || continue
        ro=$("${CROSS_COMPILE:-}readelf" -p .rodata "$f" 2>/dev/null) || continue
        [[ $ro == */dev/fb0* ]] || continue
        touch -r "$f" "$ref"
        patchelf --add-needed librm2fb_client.so.1 "$f"
        touch -r "$ref" "$f"
        echo "patch_rm2fb: ${f#"$srcdir"/} loads librm2fb_client.so.1"
    done < <(find "$srcdir" -type f -print0 | LC_ALL=C sort -z)
    rm -f "$ref"
}
_kiln_patch_rm2fb
`

// steps carries prepare(), build(), package() and the install functions.
func (p *pkg) steps(m *importer.Map) {
	for _, s := range []string{"prepare", "build", "package"} {
		f, ok := p.v.funcs[s]
		if !ok {
			continue
		}
		body := f.body()
		if needsFunction.MatchString(body) {
			// local and return work only in a function, as Toltec runs it.
			body = strings.TrimRight(f.text, "\n") + "\n" + s + "\n"
		}
		body = p.withContext(body, false)
		if s == "package" && slices.Contains(p.v.arrays["flags"], "patch_rm2fb") {
			// The client library in $SYSROOT provides the soname the
			// patched files need: kiln's shared-library step makes
			// rm2fb-client a dependency of the packages holding one.
			body = rm2fbPatch + "\n" + body
			mk, _ := m.Get("makedepends").([]string)
			m.Set("makedepends", append(mk, "build:patchelf", "host:rm2fb-client"))
		}
		m.Set(s, strings.TrimRight(body, "\n"))
	}
	var scripts importer.Map
	for _, h := range hooks {
		if f, ok := p.v.funcs[h]; ok {
			// kiln runs each hook as a function: local and return work.
			scripts.Set(h, p.withContext(f.body(), true))
		}
	}
	if len(scripts) > 0 {
		m.Set("scripts", scripts)
	}
	if p.lib {
		dep, _ := m.Get("depends").([]string)
		m.Set("depends", append(dep, LibPackage))
	}
}

var (
	needsFunction = regexp.MustCompile(`(^|[\s;(&|])(local|return)(\s|;|$)`)
	varRef        = regexp.MustCompile(`\$\{?[#!]?([A-Za-z_][A-Za-z0-9_]*)`)
	wordRef       = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_-]*`)
)

// withContext puts in front of body what it uses of the recipe: Toltec
// runs every function with the recipe's variables and custom functions
// (and install functions with its install library, which a hook that
// calls it sources); kiln's steps see only their own environment. $arch
// is the package's architecture.
func (p *pkg) withContext(body string, hook bool) string {
	funcs, lib := p.calledFuncs(body, hook)
	texts := []string{body}
	for _, f := range funcs {
		texts = append(texts, f.text)
	}
	all := strings.Join(texts, "\n")
	var pre []string
	seen := map[string]bool{}
	for _, m := range varRef.FindAllStringSubmatch(all, -1) {
		n := m[1]
		if seen[n] {
			continue
		}
		seen[n] = true
		switch {
		case n == "arch" && hook:
			pre = append(pre, `arch="$KILN_ARCH"`)
		case n == "arch":
			pre = append(pre, `arch="$KILN_ARCH_IPK"`)
		case !hook && slices.Contains(kilnEnv, n):
		case n == "pkgname" && hook:
			pre = append(pre, "pkgname="+quote(p.r.Name))
		default:
			if v, ok := p.v.vars[n]; ok {
				pre = append(pre, n+"="+quote(v))
			} else if a, ok := p.v.arrays[n]; ok {
				q := make([]string, len(a))
				for i, s := range a {
					q[i] = quote(s)
				}
				pre = append(pre, n+"=("+strings.Join(q, " ")+")")
			}
		}
	}
	slices.Sort(pre)
	if lib {
		p.lib = true
		pre = append(pre, "# Toltec's install library (package "+LibPackage+").", libSource)
	}
	for _, f := range funcs {
		pre = append(pre, strings.TrimRight(f.text, "\n"))
	}
	if len(pre) == 0 {
		return body
	}
	return "# From the Toltec recipe: the variables and functions this script uses.\n" +
		strings.Join(pre, "\n") + "\n\n" + body
}

// calledFuncs lists the recipe's functions that body calls, directly or
// through each other, by name; and whether, in a hook, they call the
// install library's (which the recipe's own functions override).
func (p *pkg) calledFuncs(body string, hook bool) (_ []function, lib bool) {
	callable := map[string]function{}
	for n, f := range p.v.funcs {
		if slices.Contains(hooks, n) || n == "prepare" || n == "build" || n == "package" || slices.Contains(p.rd.top.arrays["pkgnames"], n) {
			continue
		}
		callable[n] = f
	}
	found := map[string]bool{}
	queue := []string{body}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		for _, w := range wordRef.FindAllString(t, -1) {
			if f, ok := callable[w]; ok && !found[w] {
				found[w] = true
				queue = append(queue, f.text)
			} else if _, inLib := libFuncs[w]; !ok && inLib && hook {
				lib = true
			}
		}
	}
	var names []string
	for n := range found {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]function, len(names))
	for i, n := range names {
		out[i] = callable[n]
	}
	return out, lib
}

func quote(s string) string {
	if s != "" && regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`).MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
