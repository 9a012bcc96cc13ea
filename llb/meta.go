package llb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"sync"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
)

// metaFiles are the small spec files a job's kiln steps read (split, ELF
// check, shared libraries, SBOMs, package metadata). One file op per job
// writes them all, each in a directory of its own, instead of one op
// each: a fifth of a feed's ops. A step mounts only its directory
// (metaMount), and BuildKit keys a read-only mount by the content it
// selects, so a step still runs again only when its own file changes.
type metaFiles struct {
	files map[string]metaFile // by directory
	state *llb.State
}

type metaFile struct {
	name string
	data []byte
}

// metaMount mounts, at /kiln/meta, a directory holding data as name. The
// directory is named for kind and the content, so the same spec asked for
// twice is written once.
func (c *compiler) metaMount(kind, name string, data []byte) llb.RunOption {
	m := &c.meta
	if m.state == nil {
		m.files = map[string]metaFile{}
		label := c.name("step specs")
		// Made when the graph is marshalled, once the compiler has asked
		// for every file (llb.State.Async does the same, at a cost per
		// use that showed in a feed's marshalling).
		st := llb.NewState(&lazyOutput{build: func() llb.State {
			var fa *llb.FileAction
			for _, dir := range slices.Sorted(maps.Keys(m.files)) {
				f := m.files[dir]
				fa = fa.Mkdir("/"+dir, 0o755).Mkfile("/"+dir+"/"+f.name, 0o644, f.data)
			}
			return llb.Scratch().File(fa, label)
		}})
		m.state = &st
	}
	sum := sha256.Sum256(append([]byte(name+"\x00"), data...))
	dir := kind + "-" + hex.EncodeToString(sum[:8])
	m.files[dir] = metaFile{name: name, data: data}
	return llb.AddMount("/kiln/meta", *m.state, llb.SourcePath("/"+dir), llb.Readonly)
}

// lazyOutput is the output of the state build returns, made the first
// time it is asked for.
type lazyOutput struct {
	once  sync.Once
	build func() llb.State
	out   llb.Output
}

func (l *lazyOutput) get() llb.Output {
	l.once.Do(func() { l.out = l.build().Output() })
	return l.out
}

func (l *lazyOutput) ToInput(ctx context.Context, c *llb.Constraints) (*pb.Input, error) {
	return l.get().ToInput(ctx, c)
}

func (l *lazyOutput) Vertex(ctx context.Context, c *llb.Constraints) llb.Vertex {
	return l.get().Vertex(ctx, c)
}
