package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/frontend"
	"github.com/kiln-build/kiln/gitignore"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/spf13/pflag"
)

// settings are the machine-level choices shared by build and llb.
type settings struct {
	baseImage string
	aptMirror string
	opts      []string // --opt NAME=VALUE
	variant   int      // --variant N, -1 = all
}

func (s *settings) flags(f *pflag.FlagSet) {
	f.StringVar(&s.baseImage, "base-image", os.Getenv("KILN_BASE_IMAGE"), "image toolchains start from instead of each target's default [$KILN_BASE_IMAGE]")
	f.StringVar(&s.aptMirror, "apt-mirror", os.Getenv("KILN_APT_MIRROR"), "Debian mirror URL for toolchain packages; default: the host's apt mirror [$KILN_APT_MIRROR]")
	f.StringArrayVar(&s.opts, "opt", nil, "set a build option NAME=VALUE (repeatable): builds one variant with it instead of the recipe's variants")
	f.IntVar(&s.variant, "variant", -1, "build only variant N (0-based) of each recipe; default: all")
}

// optionSet parses the --opt flags.
func (s *settings) optionSet() (map[string]string, error) {
	set := map[string]string{}
	for _, kv := range s.opts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--opt %q: want NAME=VALUE", kv)
		}
		set[k] = v
	}
	return set, nil
}

func (s *settings) toolchain() toolchains.Options {
	m := s.aptMirror
	if m == "" {
		m = hostAptMirror()
	}
	return toolchains.Options{BaseImage: s.baseImage, AptMirror: m}
}

func managed() *daemon.Managed { return &daemon.Managed{Home: daemon.DefaultHome()} }

// hostAptMirror finds the first Debian mirror in the host's apt sources,
// so a Debian host needs no setting at all.
func hostAptMirror() string {
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	files = append(files, "/etc/apt/sources.list")
	more, _ := filepath.Glob("/etc/apt/sources.list.d/*.list")
	files = append(files, more...)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			for i, w := range fields {
				deb := i > 0 && (fields[0] == "URIs:" || fields[0] == "deb")
				if deb && (strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://")) && !strings.Contains(w, "security") {
					fh.Close()
					return w
				}
			}
		}
		fh.Close()
	}
	return ""
}

// loadRecipes loads every path; all problems are reported, not just the first.
func loadRecipes(paths []string) ([]*schema.Recipe, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	rs, err := schema.LoadAllCached(paths, recipeCache())
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	return rs, nil
}

// recipeCache remembers recipes that validated, under the user's cache
// directory, salted with this executable's size and time so a new kiln
// validates everything again. KILN_RECIPE_CACHE=off disables it.
func recipeCache() *schema.Cache {
	if os.Getenv("KILN_RECIPE_CACHE") == "off" {
		return nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return nil
	}
	return &schema.Cache{Dir: filepath.Join(dir, "kiln", "recipes"),
		Salt: fmt.Sprintf("%s %d %d", exe, fi.Size(), fi.ModTime().UnixNano())}
}

// localName is the session local holding a recipe's directory.
func localName(r *schema.Recipe) string { return "recipe-" + r.Name }

// contexts reads each recipe directory's .gitignore files once.
func contexts(rs []*schema.Recipe) (func(*schema.Recipe) llb.LocalContext, map[string]string, error) {
	byName := map[string]llb.LocalContext{}
	locals := map[string]string{}
	for _, r := range rs {
		pats, err := gitignore.Patterns(r.Dir)
		if err != nil {
			return nil, nil, err
		}
		n := localName(r)
		byName[n] = llb.LocalContext{Name: n, Excludes: pats, UniqueID: dirID(r.Dir)}
		locals[n] = r.Dir
	}
	return func(r *schema.Recipe) llb.LocalContext { return byName[localName(r)] }, locals, nil
}

const packerLocal = "kiln-packer"

// packer ships this very binary into the graph, where the pack step runs
// it in an empty root: so a build checks it is statically linked
// (checkStatic) before solving.
func packer() (llb.Packer, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return llb.Packer{}, "", err
	}
	exe, err = filepath.EvalSymlinks(exe)
	if err != nil {
		return llb.Packer{}, "", err
	}
	base := filepath.Base(exe)
	st := bkllb.Local(packerLocal, bkllb.IncludePatterns([]string{base}), bkllb.SharedKeyHint(packerLocal),
		bkllb.LocalUniqueID(dirID(filepath.Dir(exe))),
		bkllb.WithCustomName("kiln binary for packing"))
	return llb.Packer{State: st, Path: "/" + base}, filepath.Dir(exe), nil
}

func checkStatic() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	f, err := elf.Open(exe)
	if err != nil {
		return fmt.Errorf("inspecting %s: %w", exe, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked, but the pack step runs it inside the build: rebuild kiln with CGO_ENABLED=0 (make build does)", exe)
		}
	}
	return nil
}

// dirID names a host directory stably across kiln runs.
func dirID(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	sum := sha256.Sum256([]byte(dir))
	return "kiln-" + hex.EncodeToString(sum[:12])
}

// planned is a compiled build: what the CLI hands to the daemon.
type planned struct {
	opts   frontend.Options
	def    *bkllb.Definition
	locals map[string]string // session local name -> host directory
	build  []frontend.BuildOption
}

// plan loads the recipes in paths and compiles them for targets, before
// any daemon is contacted, so bad input fails fast.
func (s *settings) plan(ctx context.Context, paths, targets []string) (*planned, error) {
	rs, err := loadRecipes(paths)
	if err != nil {
		return nil, err
	}
	ctxFn, locals, err := contexts(rs)
	if err != nil {
		return nil, err
	}
	pk, pkDir, err := packer()
	if err != nil {
		return nil, err
	}
	locals[packerLocal] = pkDir
	set, err := s.optionSet()
	if err != nil {
		return nil, err
	}
	opts := frontend.Options{
		Recipes:   rs,
		Targets:   splitList(targets),
		Toolchain: s.toolchain(),
		Context:   ctxFn,
		Packer:    pk,
		Set:       set,
	}
	if s.variant >= 0 {
		opts.Variant = &s.variant
	}
	jobs, err := frontend.Plan(opts)
	if err != nil {
		return nil, err
	}
	def, err := frontend.Graph(jobs, opts.Packer).Marshal(ctx, bkllb.Platform(toolchains.BuildPlatform))
	if err != nil {
		return nil, err
	}
	return &planned{opts: opts, def: def, locals: locals}, nil
}
