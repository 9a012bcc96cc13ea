package daemon

import "strings"

// Environ is the environment a buildkitd kiln starts gets out of env
// (os.Environ()): only what buildkitd and the runc it calls use — PATH and
// the places it keeps files, locale, proxies for pulls, BuildKit's and
// OpenTelemetry's own settings. The managed daemon is long-lived and runs
// as root; kiln's signing keys ($KILN_DEV_KEY, $KILN_REPO_KEY) and whatever
// tokens the shell holds must not sit in its environment.
func Environ(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if daemonVar(name) {
			out = append(out, kv)
		}
	}
	return out
}

func daemonVar(name string) bool {
	switch name {
	case "PATH", "HOME", "USER", "TMPDIR", "TZ", "LANG", "LANGUAGE",
		"XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
		"SSL_CERT_FILE", "SSL_CERT_DIR":
		return true
	}
	switch strings.ToUpper(name) {
	case "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY":
		return true
	}
	for _, prefix := range []string{"LC_", "BUILDKIT_", "OTEL_"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}
