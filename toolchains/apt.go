package toolchains

import (
	"fmt"
	"sort"
	"strings"

	"github.com/moby/buildkit/client/llb"
)

// aptCache is the daemon's cache of Debian package lists and packages,
// shared by every toolchain step: a first build downloads each suite's
// lists and each package once instead of once per target.
const aptCache = "/var/cache/kiln-apt"

// aptScript installs $@ from the mirror. The download runs under a lock
// on the shared cache (apt's own locks are per root), the install
// outside it, so the toolchains of several targets still install side by
// side. The lists are copied into the root for the install, so a
// concurrent update cannot change them under it; dpkg skips fsync (the
// layer is committed once, by BuildKit) and documentation.
const aptScript = `set -eu
printf 'deb %s SUITE main\n' "$KILN_APT_MIRROR" >/etc/apt/sources.list
mkdir -p /etc/dpkg/dpkg.cfg.d
printf 'force-unsafe-io\npath-exclude=/usr/share/doc/*\npath-exclude=/usr/share/man/*\npath-exclude=/usr/share/info/*\n' >/etc/dpkg/dpkg.cfg.d/kiln
lists=CACHE/lists/SUITE/$(dpkg --print-architecture)$(dpkg --print-foreign-architectures | sed 's/^/+/' | tr -d '\n')
debs=CACHE/archives
mkdir -p "$lists/partial" "$debs/partial"
locked() { if command -v flock >/dev/null 2>&1; then flock CACHE/lock "$@"; else "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
locked sh -eu -c '
	lists=$1 debs=$2; shift 2
	apt-get update -qq -o Acquire::Languages=none -o Dir::State::Lists="$lists"
	apt-get install -y -qq --no-install-recommends --download-only -o Dir::State::Lists="$lists" -o Dir::Cache::Archives="$debs" "$@" >/dev/null
	cp -a "$lists/." /var/lib/apt/lists/' download "$lists" "$debs" "$@"
rm -rf /var/lib/apt/lists/partial
apt-get install -y -qq --no-install-recommends -o Debug::NoLocking=1 -o Dir::Cache::Archives="$debs" "$@" >/dev/null
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log`

// aptInstall is image with Debian packages installed from o's mirror, as
// one cached vertex; the package lists are removed so the layer holds
// nothing that depends on when it was built besides the packages. extra
// are shell lines run afterwards.
func aptInstall(base llb.State, suite string, packages []string, o Options, label string, extra ...string) llb.State {
	pkgs := append([]string(nil), packages...)
	sort.Strings(pkgs)
	script := strings.NewReplacer("SUITE", suite, "CACHE", aptCache).Replace(aptScript)
	script = strings.Join(append([]string{script}, extra...), "\n")
	return base.
		Run(
			llb.Args(append([]string{"/bin/sh", "-c", script, "apt-install"}, pkgs...)),
			llb.AddEnv("KILN_APT_MIRROR", o.AptMirror),
			llb.AddEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
			llb.AddMount(aptCache, llb.Scratch(), llb.AsPersistentCacheDir("kiln-apt", llb.CacheMountShared)),
			llb.WithCustomName(fmt.Sprintf("%s: install %s", label, strings.Join(pkgs, " "))),
		).Root()
}
