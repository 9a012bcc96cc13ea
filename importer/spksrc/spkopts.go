package spksrc

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/importer"
)

// spkOptions maps the spk Makefile's INFO variables to formats.spk, and
// the service variables to the scripts and resources spksrc generates.
func (c *conv) spkOptions(dir, mkfile string, mf *makefile) importer.Map {
	o := importer.Map{{Key: "package", Value: c.r.Name}}
	for _, kv := range []struct{ make, spk string }{
		{"DISPLAY_NAME", "displayname"}, {"DESCRIPTION", "description"}, {"MAINTAINER", "maintainer"},
		{"MAINTAINER_URL", "maintainer_url"}, {"CHANGELOG", "changelog"}, {"HELPURL", "helpurl"},
		{"SUPPORTURL", "support_url"}, {"ADMIN_URL", "adminurl"}, {"ADMIN_PROTOCOL", "adminprotocol"},
	} {
		if v := unquote(mf.get(kv.make)); v != "" {
			o.Set(kv.spk, v)
		}
	}
	var langs importer.Map
	for _, n := range slices.Sorted(maps.Keys(mf.vars)) {
		if m := langRe.FindStringSubmatch(n); m != nil {
			langs.Set(strings.ToLower(m[1]), mf.get(n))
		}
	}
	if len(langs) > 0 {
		o.Set("descriptions", langs)
	}
	if p := mf.get("ADMIN_PORT"); p != "" {
		if n, err := strconv.Atoi(p); err == nil {
			o.Set("adminport", n)
		}
	}
	if mf.get("STARTABLE") == "no" {
		o.Set("startable", false)
	}
	if b := mf.get("BETA"); b == "1" || b == "yes" {
		o.Set("beta", true)
	}
	if v := mf.get("REQUIRED_MIN_DSM"); v != "" {
		o.Set("os_min_ver", v+"-40000")
		if v != "7.0" {
			c.note(mkfile, mf.lines["REQUIRED_MIN_DSM"], "REQUIRED_MIN_DSM", importer.Approximated, "%s: kiln writes os_min_ver %s-40000 (the build number is not in spksrc's variable)", v, v)
		}
	}
	if d := unquote(mf.get("SPK_DEPENDS")); d != "" {
		o.Set("install_dep_packages", strings.Split(d, ":"))
	}
	if icon := mf.get("SPK_ICON"); icon != "" {
		// Beside the recipe; kiln scales it to each size the spk needs.
		c.copyLocal(dir, icon, "icon/"+filepath.Base(icon))
		o.Set("icon", "icon/"+filepath.Base(icon))
	}
	if w := mf.get("WIZARDS_DIR"); w != "" {
		files, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(w), "*"))
		for _, f := range files {
			c.r.Files = append(c.r.Files, importer.LocalFile{From: f, To: "wizard/" + filepath.Base(f)})
		}
		if len(files) > 0 {
			o.Set("wizard", "wizard")
		}
	}
	c.service(dir, mkfile, mf, &o)
	return o
}

// copyLocal copies a file of the spk directory beside the recipe.
func (c *conv) copyLocal(dir, rel, to string) {
	c.r.Files = append(c.r.Files, importer.LocalFile{From: filepath.Join(dir, filepath.FromSlash(rel)), To: to})
}

// startStop is the start-stop-status script kiln writes for a service,
// as spksrc's generated one does: the service setup file's hooks around
// SERVICE_COMMAND run in the background with a pid file.
const startStop = `#!/bin/sh
# start-stop-status written by kiln import spksrc from SERVICE_SETUP and
# SERVICE_COMMAND.
SYNOPKG_PKGDEST="/%[1]s"
PID_FILE="${SYNOPKG_PKGVAR:-/var/packages/%[2]s/var}/%[2]s.pid"
LOG_FILE="${SYNOPKG_PKGVAR:-/var/packages/%[2]s/var}/%[2]s.log"
SERVICE_COMMAND=%[3]s
[ -f "$SYNOPKG_PKGDEST/share/service-setup.sh" ] && . "$SYNOPKG_PKGDEST/share/service-setup.sh"
running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }
case "$1" in
start)
    running && exit 0
    command -v service_prestart >/dev/null 2>&1 && service_prestart
    if [ -n "$SERVICE_COMMAND" ]; then
        $SERVICE_COMMAND >>"$LOG_FILE" 2>&1 &
        echo $! >"$PID_FILE"
    fi
    command -v service_poststart >/dev/null 2>&1 && service_poststart
    exit 0 ;;
stop)
    command -v service_prestop >/dev/null 2>&1 && service_prestop
    running && kill "$(cat "$PID_FILE")"
    rm -f "$PID_FILE"
    command -v service_poststop >/dev/null 2>&1 && service_poststop
    exit 0 ;;
status)
    running && exit 0
    exit 3 ;;
log)
    echo "$LOG_FILE"
    exit 0 ;;
esac
exit 1
`

// service turns SERVICE_SETUP, SERVICE_COMMAND, SERVICE_USER and
// SERVICE_PORT into the start-stop-status script, the setup file in the
// package, a privilege (run as the package's user) and a port-config
// resource with its protocol file.
func (c *conv) service(dir, mkfile string, mf *makefile, o *importer.Map) {
	setup, cmd, user, port := mf.get("SERVICE_SETUP"), mf.get("SERVICE_COMMAND"), mf.get("SERVICE_USER"), mf.get("SERVICE_PORT")
	if setup == "" && cmd == "" && user == "" && port == "" {
		return
	}
	pre := prefix(c.r.Name)
	var install, files []string
	var sources []any
	if setup != "" {
		c.copyLocal(dir, setup, "spk/service-setup.sh")
		sources = append(sources, importer.Map{{Key: "path", Value: "spk/service-setup.sh"}, {Key: "dest", Value: ".spk"}})
		install = append(install, fmt.Sprintf(`install -D -m 644 "$srcdir/.spk/service-setup.sh" "$pkgdir/%s/share/service-setup.sh"`, pre))
		files = append(files, "rsc:"+pre+"/share/service-setup.sh")
	}
	if setup != "" || cmd != "" {
		o.Set("scripts", importer.Map{{Key: "start-stop-status", Value: fmt.Sprintf(startStop, pre, c.r.Name, shellQuote(cmd))}})
	}
	if user != "" {
		o.Set("privilege", importer.Map{{Key: "defaults", Value: importer.Map{{Key: "run-as", Value: "package"}}}})
	}
	if port != "" {
		title := mf.get("SERVICE_PORT_TITLE")
		if title == "" {
			title = c.r.Name
		}
		sc := fmt.Sprintf("[%s]\ntitle=%q\ndesc=%q\nport_forward=\"yes\"\ndst.ports=\"%s/tcp\"\n", c.r.Name, title, title, port)
		install = append(install, fmt.Sprintf("mkdir -p \"$pkgdir/%s/app\"\nprintf '%%s' %s >\"$pkgdir/%s/app/%s.sc\"", pre, shellQuote(sc), pre, c.r.Name))
		files = append(files, "rsc:"+pre+"/app/"+c.r.Name+".sc")
		o.Set("resource", importer.Map{{Key: "port-config", Value: importer.Map{{Key: "protocol-file", Value: "app/" + c.r.Name + ".sc"}}}})
	}
	if len(sources) > 0 {
		old, _ := c.f.Get("sources").([]any)
		c.f.Set("sources", append(old, sources...))
	}
	if len(install) > 0 {
		old, _ := c.f.Get("package").(string)
		c.f.Set("package", strings.TrimLeft(old+"\n"+strings.Join(install, "\n"), "\n"))
	}
	if pk, ok := c.f.Get("packages").(importer.Map); ok && len(files) > 0 {
		p := pk.Get(c.r.Name).(importer.Map)
		p.Set("files", append(p.Get("files").([]string), files...))
		pk.Set(c.r.Name, p)
	}
}

// unquote drops the quotes spksrc puts around values the shell reads.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
