package ipk

import (
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/pack"
)

// scriptHeader starts every generated maintainer script, as Toltec's do.
const scriptHeader = "#!/usr/bin/env bash\nset -euo pipefail\n"

// MaintainerScripts turns Toltec install functions into opkg maintainer
// scripts the way Toltec's builder does: opkg runs preinst with "install"
// (or "upgrade"), postinst with "configure", prerm and postrm with
// "remove" or "upgrade"; each function runs only for its action. env
// follows the header of each (see pack.Package.HookEnv).
func MaintainerScripts(h pack.Hooks, env string) map[string]string {
	out := map[string]string{}
	header := scriptHeader + env
	for _, s := range []struct{ file, action, body string }{
		{"preinst", "install", h.Preinstall},
		{"postinst", "configure", h.Configure},
	} {
		if s.body != "" {
			out[s.file] = header + dispatch(s.action, s.body)
		}
	}
	for _, s := range []struct{ file, upgrade, remove string }{
		{"prerm", h.Preupgrade, h.Preremove},
		{"postrm", h.Postupgrade, h.Postremove},
	} {
		if s.upgrade == "" && s.remove == "" {
			continue
		}
		script := header
		if s.upgrade != "" {
			script += dispatch("upgrade", s.upgrade)
		}
		if s.remove != "" {
			script += dispatch("remove", s.remove)
		}
		out[s.file] = script
	}
	return out
}

// dispatch runs body as a function when the script's first argument is action.
func dispatch(action, body string) string {
	return fmt.Sprintf("if [[ $1 = %s ]]; then\n    script() {\n%s\n    }\n    script\nfi\n", action, strings.TrimRight(body, "\n"))
}

// scripts merges the hooks' scripts with p.Scripts; one name from both is an error.
func scripts(p *pack.Package) (map[string]string, error) {
	out := MaintainerScripts(p.Hooks, p.HookEnv())
	for name, body := range p.Scripts {
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("package %s: install script %s given both directly and by the recipe's hooks", p.Name, name)
		}
		out[name] = body
	}
	return out, nil
}
