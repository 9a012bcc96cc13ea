package toolchains

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
)

// Toolchain archives. A target may take its cross compiler from an
// archive, as spksrc takes Synology's per DSM platform:
//
//	targets:
//	  ds-armv7:
//	    extends: armv7
//	    toolchain: archive
//	    archive:
//	      url: https://example.org/armada370-gcc1220_glibc236_hard.txz
//	      sha256: 4f2d...
//	      strip: 1
//	      dest: /opt/x-tools/arm-unknown-linux-gnueabi
//	    packages: [make, file, patch]
//	    env: {CC: /opt/x-tools/arm-unknown-linux-gnueabi/bin/arm-unknown-linux-gnueabi-gcc, ...}
//
// The toolchain is the base image with the target's packages installed
// (the compilers' host libraries, and what builds need), then the archive:
// fetched by the daemon and checked against its sha256, unpacked by the
// unpacker (one vertex, shared by every target using the archive) and
// copied into dest.

// withArchive is st with t's archive unpacked into its dest.
func (t *Target) withArchive(st llb.State, o Options, label string) llb.State {
	a := t.Archive
	if a == nil {
		return st // the schema requires one
	}
	name := archiveName(a.URL)
	dl := llb.HTTP(a.URL,
		llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, a.SHA256)),
		llb.Filename(name),
		llb.WithCustomName(fmt.Sprintf("%s: fetch %s", label, a.URL)))
	files := Unpack(o, dl, name, strconv.Itoa(a.Strip), a.MaxUnpacked, fmt.Sprintf("%s: unpack %s (strip %d)", label, name, a.Strip))
	dest := path.Join("/", a.Dest)
	return st.File(llb.Copy(files, "/", strings.TrimSuffix(dest, "/")+"/", &llb.CopyInfo{
		CopyDirContentsOnly: true,
		CreateDestPath:      true,
	}), llb.WithCustomName(fmt.Sprintf("%s: copy the files of %s to %s", label, name, dest)))
}

// archiveName is the file name of the archive at rawURL: the last element
// of its path, which tells the unpacker a zip file from a tar archive.
func archiveName(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && strings.Trim(u.Path, "/") != "" {
		return path.Base(u.Path)
	}
	return "toolchain.tar"
}

// Unpack extracts archive fname, at the root of dl, in the unpacker,
// without network, dropping strip leading path components (a number, or
// "auto": the archive's single top directory if it has one); the state
// holds the files at its root. The vertex, named name, depends on nothing
// but the archive and o, so an archive is unpacked once for everyone.
//
// limit bounds the bytes the files may take (0: DefaultUnpackLimit),
// counting each member's size plus 4 KiB (a file system block, so an
// archive of a million empty files counts too); an archive over it is
// refused before anything is written, naming its largest member, and no
// file may grow past it while unpacking (ulimit -f: a member whose data
// is longer than its header says is cut at the limit and the step fails).
func Unpack(o Options, dl llb.State, fname string, strip string, limit int64, name string) llb.State {
	if limit <= 0 {
		limit = DefaultUnpackLimit
	}
	return Unpacker(o).Run(
		llb.Args([]string{"/bin/sh", "-c", unpackScript}),
		llb.AddEnv("ARCHIVE", "/kiln/dl/"+fname),
		llb.AddEnv("STRIP", strip),
		llb.AddEnv("LIMIT", strconv.FormatInt(limit, 10)),
		llb.AddMount("/kiln/dl", dl, llb.Readonly),
		llb.Network(llb.NetModeNone),
		llb.WithCustomName(name),
	).AddMount("/kiln/out", llb.Scratch())
}

// DefaultUnpackLimit is how much an archive may unpack to unless its
// source says otherwise (max_unpacked): 4 GiB, more than any compiler or
// library source kiln's targets build (a toolchain archive unpacks to
// about 1 GiB), less than a zip bomb or a sparse file of 10 GiB.
const DefaultUnpackLimit = 4 << 30

// unpackScript extracts $ARCHIVE into /kiln/out dropping $STRIP leading
// path components. An archive with a member that is absolute or climbs out
// with ".." is refused: tar and unzip would only warn and drop the prefix.
// So is one where stripping drops a file (a member that is not a directory
// with no more than $STRIP components, counting "." as tar does: an
// archive without a top directory given strip 1), or leaves nothing at
// all: tar would extract nothing and the build go on with an empty tree.
// STRIP=auto drops the top directory when every member is under one
// (after a leading "./", which tar counts as a component too).
const unpackScript = `set -eu
name=$(basename "$ARCHIVE")
case "$ARCHIVE" in
*.zip) members=$(unzip -Z1 "$ARCHIVE") ;;
*) members=$(tar -tf "$ARCHIVE") ;;
esac
if [ "$STRIP" = auto ]; then
	STRIP=$(printf '%s\n' "$members" | awk '{
		k = split($0, p, "/"); d = 0; top = ""; rest = 0
		for (i = 1; i <= k; i++) {
			if (p[i] == "") continue
			if (top == "" && p[i] == ".") { d++; continue }
			if (top == "") top = p[i]; else rest = 1
		}
		if (top == "") next
		if (first == "") { first = top; dots = d }
		if (top != first || d != dots) many = 1
		if (rest) deep = 1
	} END { print (first != "" && !many && deep) ? dots + 1 : 0 }')
	echo "kiln: unpacking $name with strip $STRIP (the archive's layout)"
fi
# Each member counts its size plus a 4 KiB block; the sum must stay under
# $LIMIT. tar -tv prints a sparse member's full size. (Sizes stay strings
# until summed: awk prints numbers with 6 digits. No {n} in the regular
# expressions: mawk lacks them.)
case "$ARCHIVE" in
*.zip) sizes=$(unzip -Z "$ARCHIVE" | awk 'NR > 2 && NF >= 9 && $4 ~ /^[0-9]+$/ { n = $0; sub(/^[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +/, "", n); print $4, n }') ;;
*) sizes=$(tar --numeric-owner -tvf "$ARCHIVE" | awk '{ n = $0; sub(/^[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +/, "", n); print $3, n }') ;;
esac
over=$(printf '%s\n' "$sizes" | awk -v limit="$LIMIT" '$0 != "" {
	s = $1 + 0; t += s + 4096; if (s >= max) { max = s; n = $0; sub(/^[^ ]+ /, "", n) }
} END { if (t > limit) printf "%d MiB (%d members; the largest, %s, %d MiB), over the limit of %d MiB", t / 1048576, NR, n, max / 1048576, limit / 1048576 }')
if [ -n "$over" ]; then
	echo "kiln: refusing to unpack $name: it would take $over; if the archive is right, raise the source's max_unpacked" >&2
	exit 1
fi
bad=$(printf '%s\n' "$members" | grep -E '^/|(^|/)\.\.(/|$)' | head -n 3 || true)
if [ -n "$bad" ]; then
	echo "kiln: refusing to unpack $name: members outside the source directory:" $bad >&2
	exit 1
fi
short=$(printf '%s\n' "$members" | awk -v n="$STRIP" 'n > 0 && $0 != "" && $0 !~ /\/$/ {
	c = 0; k = split($0, p, "/"); for (i = 1; i <= k; i++) if (p[i] != "") c++
	if (c <= n) print }' | head -n 3)
if [ -n "$short" ]; then
	echo "kiln: refusing to unpack $name: strip $STRIP removes the whole path of members:" $short "(has the archive a top directory to strip?)" >&2
	exit 1
fi
# No file grows past the limit, whatever a header says (in 512-byte blocks;
# SIGXFSZ ignored, so a write past it fails and the archiver says so).
ulimit -f $((LIMIT / 512))
trap '' XFSZ
t=
fail() {
	if [ -n "$(find /kiln/out $t -type f -size +$((LIMIT / 512 * 512 - 1))c 2>/dev/null | head -n 1)" ]; then
		echo "kiln: refusing to unpack $name: a member's data goes past the limit of $((LIMIT / 1048576)) MiB (more than its header says)" >&2
	else
		echo "kiln: unpacking $name failed" >&2
	fi
	exit 1
}
case "$ARCHIVE" in
*.zip)
	t=$(mktemp -d)
	unzip -q "$ARCHIVE" -d "$t" </dev/null || fail
	if [ "$STRIP" -eq 0 ]; then cp -a "$t"/. /kiln/out/ || fail
	else (cd "$t" && find . -mindepth $((STRIP + 1)) -maxdepth $((STRIP + 1)) -exec cp -a {} /kiln/out/ \;) || fail
	fi ;;
*) tar -xf "$ARCHIVE" -C /kiln/out --strip-components="$STRIP" --no-same-owner || fail ;;
esac
if [ -z "$(ls -A /kiln/out)" ]; then
	echo "kiln: unpacking $name with strip $STRIP left nothing" >&2
	exit 1
fi`
