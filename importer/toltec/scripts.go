package toltec

import (
	_ "embed"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/importer"
)

//go:embed installlib.sh
var installLib string

// libFuncs are the install library's functions by name, as text.
var libFuncs = parseLib(installLib)

func parseLib(src string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`(?ms)^([a-z][a-z0-9-]*)\(\) \{\n.*?^\}\n`)
	for _, m := range re.FindAllStringSubmatch(src, -1) {
		out[m[1]] = m[0]
	}
	return out
}

// kilnEnv are the variables kiln's build steps set themselves.
var kilnEnv = []string{"srcdir", "pkgdir", "pkgname", "pkgver"}

// rm2fbPatch is Toltec's patch_rm2fb flag as a step after package():
// every ELF file loads rm2fb's client library, as Toltec's builder does.
const rm2fbPatch = `
# Toltec's patch_rm2fb flag: every binary loads rm2fb's client library.
find "$pkgdir" -type f | while read -r f; do
    if patchelf --print-needed "$f" >/dev/null 2>&1; then
        patchelf --add-needed librm2fb_client.so.1 "$f"
    fi
done
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
			body += rm2fbPatch
			mk, _ := m.Get("makedepends").([]string)
			m.Set("makedepends", append(mk, "build:patchelf"))
			dep, _ := m.Get("depends").([]string)
			m.Set("depends", append(dep, "rm2fb-client"))
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
}

var (
	needsFunction = regexp.MustCompile(`(^|[\s;(&|])(local|return)(\s|;|$)`)
	varRef        = regexp.MustCompile(`\$\{?[#!]?([A-Za-z_][A-Za-z0-9_]*)`)
	wordRef       = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_-]*`)
)

// withContext puts in front of body what it uses of the recipe: Toltec
// runs every function with the recipe's variables and custom functions
// (and install functions with its install library); kiln's steps see only
// their own environment. $arch is the package's architecture.
func (p *pkg) withContext(body string, hook bool) string {
	funcs := p.calledFuncs(body, hook)
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
	for _, f := range funcs {
		pre = append(pre, strings.TrimRight(f.text, "\n"))
	}
	if len(pre) == 0 {
		return body
	}
	return "# From the Toltec recipe: the variables and functions this script uses.\n" +
		strings.Join(pre, "\n") + "\n\n" + body
}

// calledFuncs lists the recipe's functions (and, in hooks, the install
// library's) that body calls, directly or through each other, by name.
func (p *pkg) calledFuncs(body string, hook bool) []function {
	callable := map[string]function{}
	for n, f := range p.v.funcs {
		if slices.Contains(hooks, n) || n == "prepare" || n == "build" || n == "package" || slices.Contains(p.rd.top.arrays["pkgnames"], n) {
			continue
		}
		callable[n] = f
	}
	if hook {
		for n, t := range libFuncs {
			if _, own := callable[n]; !own {
				callable[n] = function{text: t}
			}
		}
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
	return out
}

func quote(s string) string {
	if s != "" && regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`).MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
