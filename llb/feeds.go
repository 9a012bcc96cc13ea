package llb

import (
	"encoding/json"
	"fmt"
	"path"

	"github.com/kiln-build/kiln/feeds"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/version"
	"github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
)

// Feed is an opkg feed serving a target: its index URL and the state
// holding the index (fetched by the daemon, checked against the
// repository's sha256) as File.
type Feed struct {
	URL   string
	Index llb.State
	File  string
}

// FeedIndex fetches a feed's index. The vertex is the same for every
// recipe and target using the feed, so the daemon fetches it once.
func FeedIndex(f schema.Feed) Feed {
	file := path.Base(f.URL) // Packages or Packages.gz: the schema says so
	st := llb.HTTP(f.URL, llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, f.SHA256)), llb.Filename(file),
		llb.WithCustomName("feed "+f.URL+": fetch index"))
	return Feed{URL: f.URL, Index: st, File: file}
}

// feedMounts mounts each feed's index at /kiln/feeds/N and says where.
func feedMounts(fs []Feed) ([]llb.RunOption, []feeds.Index) {
	var mounts []llb.RunOption
	var idx []feeds.Index
	for i, f := range fs {
		dir := fmt.Sprintf("/kiln/feeds/%d", i)
		mounts = append(mounts, llb.AddMount(dir, f.Index, llb.Readonly))
		idx = append(idx, feeds.Index{URL: f.URL, File: dir + "/" + f.File})
	}
	return mounts, idx
}

// FeedPackage is the package of the feeds that meets d for a target
// whose devices install archs: a step of kiln's own binary chooses the
// newest version d allows and downloads it, checking it against the sha256
// the (pinned) index gives. It fails naming d when no feed has it.
func FeedPackage(fs []Feed, archs []string, d version.Dep, packer Packer) HostPackage {
	mounts, idx := feedMounts(fs)
	spec := feeds.FetchSpec{Name: d.Name, Op: d.Op, Version: d.Version, Archs: archs, Feeds: idx}
	data, _ := json.MarshalIndent(spec, "", "  ") // plain values: cannot fail
	meta := llb.Scratch().File(llb.Mkfile("/fetch.json", 0o644, data), llb.WithCustomName("feed package "+d.Debian()))
	opts := append([]llb.RunOption{
		llb.Args([]string{"/kiln/bin" + packer.Path, "feedfetch", "--spec", "/kiln/meta/fetch.json", "--out", "/kiln/pkg"}),
		llb.AddMount("/kiln/bin", packer.State, llb.Readonly),
		llb.AddMount("/kiln/meta", meta, llb.Readonly),
		llb.WithCustomName("fetch " + d.Debian() + " from a feed"),
	}, mounts...)
	out := llb.Scratch().Run(opts...).AddMount("/kiln/pkg", llb.Scratch())
	return HostPackage{State: out, File: feeds.FileName(d.Name), Name: d.Name, Feed: true}
}
