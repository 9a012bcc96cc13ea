package llb

import (
	"fmt"
	"path"

	"github.com/kiln-build/kiln/feeds"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/version"
	"github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
)

// Feed is an opkg feed serving a target: the state holding its index
// (fetched by the daemon, checked against the repository's sha256) as
// File, and the index's entries, read before planning (see
// build.ReadIndexes), which choose the packages the graph fetches.
type Feed struct {
	URL   string
	Index llb.State
	File  string
	Read  feeds.Feed
}

// FeedIndexState fetches a feed's index. The vertex is the same for every
// recipe and target using the feed, and for the solve that reads it
// before planning, so the daemon fetches it once.
func FeedIndexState(f schema.Feed) (llb.State, string) {
	file := path.Base(f.URL) // Packages or Packages.gz: the schema says so
	return llb.HTTP(f.URL, llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, f.SHA256)), llb.Filename(file),
		llb.WithCustomName("feed "+f.URL+": fetch index")), file
}

// FeedIndex is feed f with its index as read (data in: the compiler does
// no I/O).
func FeedIndex(f schema.Feed, read feeds.Feed) Feed {
	st, file := FeedIndexState(f)
	return Feed{URL: f.URL, Index: st, File: file, Read: read}
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

// FeedPackage is the package of the feeds that meets d for a target whose
// devices install archs: the newest version d allows, of the first feed
// that has one, fetched by the daemon as an llb.HTTP source pinned by the
// sha256 the (pinned) index gives it. It fails naming d and what each
// feed has when none meets it.
func FeedPackage(fs []Feed, archs []string, d version.Dep) (HostPackage, error) {
	read := make([]feeds.Feed, len(fs))
	for i, f := range fs {
		read[i] = f.Read
	}
	e, f, err := feeds.Find(read, d, archs)
	if err != nil {
		return HostPackage{}, err
	}
	pin, err := f.Pin(e)
	if err != nil {
		return HostPackage{}, err
	}
	st := llb.HTTP(pin.URL, llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, pin.SHA256)), llb.Filename(pin.File),
		llb.WithCustomName(fmt.Sprintf("feed %s: fetch %s %s", f.URL, e.Package, e.Version)))
	return HostPackage{State: st, File: pin.File, Name: e.Package, Depends: feeds.Depends(e), Feed: true}, nil
}
