package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/feeds"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/schema"
	"github.com/moby/buildkit/solver/pb"
)

const feedURL = "http://127.0.0.1:1/armv7/Packages.gz"

// feedIndex is a feed serving armv7: libbar 2.1-1 depends on libbaz, on
// the system's libc6 and on one of two packages, the first of which no
// one has; libbaz on nothing; libbad on a package nothing has.
var feedIndex = "Package: libbar\nVersion: 2.1-1\nArchitecture: armv7\nFilename: pool/libbar_2.1-1_armv7.ipk\nSHA256sum: " + strings.Repeat("1", 64) + "\n" +
	"Depends: libbaz (>= 1.0), libc6 (>= 2.28), libnone | libbaz\n\n" +
	"Package: libbaz\nVersion: 1.5\nArchitecture: armv7\nFilename: pool/libbaz_1.5_armv7.ipk\nSHA256sum: " + strings.Repeat("2", 64) + "\n\n" +
	"Package: libbad\nVersion: 1\nArchitecture: armv7\nFilename: libbad_1_armv7.ipk\nSHA256sum: " + strings.Repeat("3", 64) + "\nDepends: libnowhere (>= 2)\n"

// withFeed gives r the feed and o its index, as read before planning.
func withFeed(o Options, r *schema.Recipe) Options {
	f := schema.Feed{URL: feedURL, SHA256: strings.Repeat("ab", 32), Arch: "armv7"}
	r.Feeds = []schema.Feed{f}
	o.Indexes = map[string][]byte{feeds.Key(f.URL, f.SHA256): []byte(feedIndex)}
	return o
}

// httpSources are the checksums of a job's http sources, by URL, and
// whether any step runs kiln's former in-graph fetcher.
func httpSources(t *testing.T, j *llb.Job) (map[string]string, bool) {
	def, err := j.Output.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fetcher := false
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		if s := op.GetSource(); s != nil && strings.HasPrefix(s.Identifier, "http") {
			out[s.Identifier] = s.Attrs[pb.AttrHTTPChecksum]
		}
		if e := op.GetExec(); e != nil && strings.Contains(strings.Join(e.Meta.Args, " "), "feedfetch") {
			fetcher = true
		}
	}
	return out, fetcher
}

// TestFeedHostDependency: a host: dependency no recipe produces comes from
// the repository's feed serving the target (by its ipk architecture),
// chosen from the index read before planning and fetched by the daemon as
// an http source pinned by the index's sha256; what it depends on follows
// it into $SYSROOT (from the feed, the build or nowhere for the system's
// libc6), as a build package's uses do. A target no feed serves gets no
// such package.
func TestFeedHostDependency(t *testing.T) {
	lib := recipe("libfoo", "1.2-1")
	lib.Packages = map[string]*schema.PackageSpec{"libfoo": {Files: []string{"usr/lib/**"}}, "libfoo-dev": {Files: []string{"usr/include/**"}, Uses: []string{"libfoo"}}}
	app := recipe("app", "1.0-1", "host:libfoo-dev", "host:libbar >= 2.0")
	app.Targets = []string{"armv7"}
	jobs, err := compile(withFeed(options(app, lib), app))
	if err != nil {
		t.Fatal(err)
	}
	names := vertexNames(t, jobs[0])
	for _, want := range []string{"feed " + feedURL + ": fetch index", "feed " + feedURL + ": fetch libbar 2.1-1", "feed " + feedURL + ": fetch libbaz 1.5",
		"app [armv7] install libfoo-dev_1.2-1_armv7, libbar_2.1-1_armv7, libfoo_1.2-1_armv7, libbaz_1.5_armv7 into $SYSROOT",
		"app [armv7] resolve shared libraries (4 package(s) in $SYSROOT)"} {
		if !strings.Contains(names, want) {
			t.Errorf("app's graph lacks %q:\n%s", want, names)
		}
	}
	srcs, fetcher := httpSources(t, jobs[0])
	for url, sum := range map[string]string{
		"http://127.0.0.1:1/armv7/pool/libbar_2.1-1_armv7.ipk": "sha256:" + strings.Repeat("1", 64),
		"http://127.0.0.1:1/armv7/pool/libbaz_1.5_armv7.ipk":   "sha256:" + strings.Repeat("2", 64),
		feedURL: "sha256:" + strings.Repeat("ab", 32),
	} {
		if srcs[url] != sum {
			t.Errorf("http source %s has checksum %q, want %q (sources %v)", url, srcs[url], sum, srcs)
		}
	}
	if fetcher {
		t.Error("a step of the graph runs kiln feedfetch")
	}

	// kiln validate plans offline: no index, a stand-in for the package.
	o := withFeed(options(app, lib), app)
	o.Indexes, o.Offline = nil, true
	if _, err := compile(o); err != nil {
		t.Errorf("offline plan: %v", err)
	}

	app.Targets = []string{"x86_64"}
	if _, err := compile(withFeed(options(app, lib), app)); err == nil || !strings.Contains(err.Error(), "package libbar: no recipe in this build produces it") {
		t.Errorf("x86_64, which the armv7 feed does not serve: %v", err)
	}
}

// TestFeedDependencyErrors: a version the feed lacks, a feed package's
// dependency nothing meets, and a feed whose index was not read are
// named; so is an install test's runtime dependency the feed lacks.
func TestFeedDependencyErrors(t *testing.T) {
	for _, c := range []struct {
		makedepends, depends string
		unread               bool
		want                 string
	}{
		{makedepends: "host:libbar >= 9.0", want: "libbar (>= 9.0): feed " + feedURL + ": no version of libbar satisfies >= 9.0 (it has 2.1-1)"},
		{makedepends: "host:libbad", want: "package libbad (from a feed) depends on libnowhere (>= 2), which neither the build, the system of target armv7 nor a feed meets: libnowhere (>= 2): feed " + feedURL + ": no package libnowhere for architecture armv7 or all"},
		{depends: "libbar >= 3", want: "libbar (>= 3): feed " + feedURL + ": no version of libbar satisfies >= 3 (it has 2.1-1)"},
		{depends: "libc6 >= 2.40", want: "target armv7's system has libc6 2.36"},
		{makedepends: "host:libbar", unread: true, want: "feed " + feedURL + ": its index was not read before planning"},
	} {
		app := recipe("app", "1.0-1")
		if c.makedepends != "" {
			app.Makedepends = []string{c.makedepends}
		}
		if c.depends != "" {
			app.Depends = []string{c.depends}
			app.Tests = []schema.Test{{Stage: "install", Script: "app"}}
		}
		app.Targets = []string{"armv7"}
		o := withFeed(options(app), app)
		if c.unread {
			o.Indexes = nil
		}
		if _, err := compile(o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s%s: %v, want %q", c.makedepends, c.depends, err, c.want)
		}
	}
}

// TestFeedInstallTestRoot: an install test's root gets the recipe's
// runtime dependency from the feed and what that depends on.
func TestFeedInstallTestRoot(t *testing.T) {
	app := recipe("app", "1.0-1")
	app.Depends = []string{"libbar >= 2.0", "libc6"}
	app.Tests = []schema.Test{{Stage: "install", Script: "app"}}
	app.Targets = []string{"armv7"}
	jobs, err := compile(withFeed(options(app), app))
	if err != nil {
		t.Fatal(err)
	}
	names := vertexNames(t, jobs[0])
	for _, want := range []string{"app [armv7] install 3 package(s) for tests", "feed " + feedURL + ": fetch libbaz 1.5"} {
		if !strings.Contains(names, want) {
			t.Errorf("app's graph lacks %q:\n%s", want, names)
		}
	}
}
