package build

import (
	"bufio"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/gitignore"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
)

// What a build on the host reads: recipe directories, kiln's own binary
// for the pack step, the host's apt mirror. Each reaches the daemon as a
// session local, so a remote daemon needs nothing installed.

// LoadRecipes loads every path (a recipe file, a recipe directory or a
// repository) and the targets the recipes share: kiln's own and those
// their repositories define (see LoadTargets). Every recipe's targets must
// be among them. All problems are reported, not just the first.
func LoadRecipes(paths []string) ([]*schema.Recipe, *toolchains.Set, error) {
	srcs, recipePaths, err := targetSources(paths, true)
	if err != nil {
		return nil, nil, &RecipeError{err}
	}
	if len(recipePaths) == 0 && len(paths) > 0 {
		return nil, nil, &RecipeError{fmt.Errorf("%s: no recipe found (a %s directory holds targets only)", strings.Join(paths, ", "), toolchains.TargetsDir)}
	}
	rs, rerr := schema.LoadAllCached(recipePaths, recipeCache())
	set, terr := toolchains.Load(srcs...)
	if err := errors.Join(rerr, terr); err != nil {
		return nil, nil, &RecipeError{err}
	}
	if err := schema.CheckTargets(rs, set.Names(), nil); err != nil {
		return nil, nil, &RecipeError{err}
	}
	return rs, set, nil
}

// RecipeError is a problem with the recipes themselves, each already
// positioned (file:line:col: field: message), one a line.
type RecipeError struct{ Err error }

func (e *RecipeError) Error() string { return e.Err.Error() }
func (e *RecipeError) Unwrap() error { return e.Err }

// recipeCache remembers recipes that validated, under the user's cache
// directory, salted with this executable's size and time so a new kiln
// validates everything again. KILN_RECIPE_CACHE=off disables it.
func recipeCache() *schema.Cache {
	if os.Getenv("KILN_RECIPE_CACHE") == "off" {
		return nil
	}
	dir, salt, err := kilnCache("recipes")
	if err != nil {
		return nil
	}
	return &schema.Cache{Dir: dir, Salt: salt}
}

// kilnCache is kiln's cache directory sub, under the user's, and the salt
// telling this kiln binary's entries from another's (exeSalt).
func kilnCache(sub string) (dir, salt string, err error) {
	if dir, err = os.UserCacheDir(); err != nil {
		return "", "", err
	}
	salt, err = exeSalt()
	return filepath.Join(dir, "kiln", sub), salt, err
}

// exeSalt tells this kiln binary from any other: its path, size and time.
func exeSalt() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %d %d", exe, fi.Size(), fi.ModTime().UnixNano()), nil
}

// HostAptMirror finds the first Debian mirror in the host's apt sources,
// so a Debian host needs no setting at all.
func HostAptMirror() string {
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	files = append(files, "/etc/apt/sources.list")
	more, _ := filepath.Glob("/etc/apt/sources.list.d/*.list")
	for _, f := range append(files, more...) {
		if m := aptMirrorIn(f); m != "" {
			return m
		}
	}
	return ""
}

func aptMirrorIn(file string) string {
	fh, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i, w := range fields {
			deb := i > 0 && (fields[0] == "URIs:" || fields[0] == "deb")
			if deb && (strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://")) && !strings.Contains(w, "security") {
				return w
			}
		}
	}
	return ""
}

// localName is the session local holding a recipe's directory.
func localName(r *schema.Recipe) string { return "recipe-" + r.Name }

// contexts reads each recipe directory's .gitignore files once; excludes
// are the patterns read, by directory.
func contexts(rs []*schema.Recipe) (ctxFn func(*schema.Recipe) llb.LocalContext, locals map[string]string, excludes map[string][]string, err error) {
	byName := map[string]llb.LocalContext{}
	locals, excludes = map[string]string{}, map[string][]string{}
	for _, r := range rs {
		pats, ok := excludes[r.Dir]
		if !ok {
			if pats, err = gitignore.Patterns(r.Dir); err != nil {
				return nil, nil, nil, err
			}
			excludes[r.Dir] = pats
		}
		n := localName(r)
		byName[n] = llb.LocalContext{Name: n, Excludes: pats, UniqueID: dirID(r.Dir)}
		locals[n] = r.Dir
	}
	return func(r *schema.Recipe) llb.LocalContext { return byName[localName(r)] }, locals, excludes, nil
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
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
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

// Check loads the recipes at paths and compiles them for all their
// targets and variants as kiln build would, contacting no daemon:
// everything a build rejects before it starts (format options, names a
// format forbids, an architecture a target lacks) fails here, for kiln
// validate. Each path is compiled as a build of it alone (with the
// targets directories among paths), so recipes given side by side need
// not fit in one build.
func Check(paths []string) ([]*schema.Recipe, *toolchains.Set, error) {
	rs, set, err := LoadRecipes(paths)
	if err != nil {
		return nil, nil, err
	}
	var targetDirs, recipePaths []string
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && isTargetsDir(p, fi) {
			targetDirs = append(targetDirs, p)
		} else {
			recipePaths = append(recipePaths, p)
		}
	}
	var errs []error
	for _, p := range recipePaths {
		// A host: dependency on a recipe not given here may be met in a
		// build of the whole repository: not a fault of the recipe.
		err := compile(append([]string{p}, targetDirs...))
		var fe *llb.FieldError
		switch {
		case err == nil, errors.Is(err, llb.ErrNotInRepository):
		case errors.As(err, &fe):
			// Positioned at the field, as schema problems are.
			errs = append(errs, &RecipeError{schema.ErrorAt(fe.Recipe, fe.Field, fe.Message())})
		default:
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return rs, set, nil
}

// compile plans a build of paths for every target and variant.
func compile(paths []string) error {
	o, err := offlinePlan(paths)
	if err != nil {
		return err
	}
	_, err = plan.New(o)
	return err
}

// offlinePlan are the plan options for the recipes at paths when nothing
// will be built (checking, drawing): any mirror compiles the same.
func offlinePlan(paths []string) (plan.Options, error) {
	rs, set, err := LoadRecipes(paths)
	if err != nil {
		return plan.Options{}, err
	}
	ctxFn, _, _, err := contexts(rs)
	if err != nil {
		return plan.Options{}, err
	}
	pk, _, err := packer()
	if err != nil {
		return plan.Options{}, err
	}
	tc := toolchains.Options{AptMirror: "http://apt-mirror.invalid/debian"}
	return plan.Options{Recipes: rs, Toolchains: set, Toolchain: tc, Context: ctxFn, Packer: pk, Offline: true}, nil
}
